package io.ringbus.transport.codec;

/**
 * A child JVM's main for {@link CodecFlagsTest}: makes the view named by its argument and prints what
 * happened, {@code OK} or the simple name of the exception.
 */
public final class FlagsProbe {
    private FlagsProbe() {
    }

    /** {@code agrona} or {@code chronicle}. */
    public static void main(String[] args) {
        try {
            if (args[0].equals("agrona")) {
                new AgronaPayload();
            } else {
                new ChroniclePayload().close();
            }
            System.out.println("OK");
        } catch (RuntimeException | Error failure) {
            System.out.println(failure.getClass().getSimpleName() + ": " + failure.getMessage());
        }
    }
}
