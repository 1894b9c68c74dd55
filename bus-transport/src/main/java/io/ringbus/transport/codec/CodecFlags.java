package io.ringbus.transport.codec;

import java.util.List;

/**
 * The JVM flags each codec library needs on JDK 25, in one place: the {@code bus} launcher passes the same
 * lists to the commands that use them ({@code record}, {@code replay}, the codec samples), and an embedding
 * application adds them to its own command line. ringbus itself (bus-core, the stream paths) needs only
 * {@code --enable-native-access=ALL-UNNAMED}.
 *
 * <table>
 *   <caption>Which flag for which feature</caption>
 *   <tr><th>feature</th><th>flags</th><th>without them</th></tr>
 *   <tr><td>{@link ChronicleClaim}, {@link ChroniclePayload}</td><td>{@link #CHRONICLE}</td>
 *       <td>warnings on standard error; under {@code --sun-misc-unsafe-memory-access=deny} the first view
 *       fails with {@link MissingJvmFlagsException}</td></tr>
 *   <tr><td>reflective {@code BytesMarshallable} (no hand-written {@code readMarshallable})</td>
 *       <td>{@link #CHRONICLE_REFLECTIVE} too</td><td>Chronicle cannot read private fields</td></tr>
 *   <tr><td>{@link AgronaClaim}, {@link AgronaPayload} (SBE codecs)</td><td>{@link #AGRONA}</td>
 *       <td>{@link MissingJvmFlagsException} when the view is made</td></tr>
 * </table>
 */
public final class CodecFlags {
    /**
     * Chronicle Bytes and Chronicle Queue: off-heap memory through {@code sun.misc.Unsafe} (without {@code allow}
     * JDK 25 warns, and {@code deny} stops Chronicle), and the JDK internals its direct-buffer cleaner and memory
     * probes use (without them it prints warnings at start-up and works).
     */
    public static final List<String> CHRONICLE = List.of(
        "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED");

    /** Chronicle's reflective marshalling (fields read and written by reflection), on top of {@link #CHRONICLE}. */
    public static final List<String> CHRONICLE_REFLECTIVE = List.of(
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED");

    /** Agrona's {@code UnsafeBuffer}, which SBE's generated codecs read and write through. */
    public static final List<String> AGRONA = List.of(
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");

    private static final String INTERNAL_MISC = "jdk.internal.misc";

    private CodecFlags() {
    }

    /** Every flag the codec views, the recorder and the replayer may need: the union of the lists above. */
    public static List<String> all() {
        return java.util.stream.Stream.of(CHRONICLE, CHRONICLE_REFLECTIVE, AGRONA).flatMap(List::stream)
            .distinct().toList();
    }

    /**
     * Fails unless {@code java.base} exports {@code jdk.internal.misc} to the code that uses Agrona: Agrona's
     * {@code UnsafeBuffer} would otherwise throw an {@code IllegalAccessError} at its first access.
     *
     * @throws MissingJvmFlagsException naming the flag
     */
    static void requireAgrona() {
        Module agrona = org.agrona.concurrent.UnsafeBuffer.class.getModule();
        if (!Object.class.getModule().isExported(INTERNAL_MISC, agrona)) {
            throw new MissingJvmFlagsException("Agrona's UnsafeBuffer (the SBE codec view) needs the JVM flag "
                + String.join(" ", AGRONA) + "; add it to the java command line (see CodecFlags.AGRONA)", null);
        }
    }

    /** The typed form of Chronicle failing to start in this JVM (its classes failed to initialise). */
    static MissingJvmFlagsException chronicleFailed(Throwable failure) {
        return new MissingJvmFlagsException("Chronicle Bytes cannot start in this JVM (" + failure
            + "); run it with " + String.join(" ", CHRONICLE)
            + " (see CodecFlags.CHRONICLE): --sun-misc-unsafe-memory-access=deny stops Chronicle", failure);
    }
}
