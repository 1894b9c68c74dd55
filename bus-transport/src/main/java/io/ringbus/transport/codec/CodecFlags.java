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
 *   <tr><td>recordings ({@code io.ringbus.transport.record}: Chronicle Queue maps its files)</td>
 *       <td>{@link #CHRONICLE} and {@link #CHRONICLE_REFLECTIVE}</td>
 *       <td>{@link MissingJvmFlagsException} when a recording is opened ({@link #requireChronicleQueue}): Chronicle
 *       Queue cannot map a file without {@code sun.nio.ch} exported and {@code java.lang.reflect} open</td></tr>
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

    /**
     * Chronicle's reflective marshalling (fields read and written by reflection), and Chronicle Queue's file
     * mapping (it reaches the JDK's private map method by reflection), on top of {@link #CHRONICLE}.
     */
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
        requireAgrona("Agrona's UnsafeBuffer (the SBE codec view)", "see CodecFlags.AGRONA");
    }

    /**
     * The same test for a feature built on Agrona's {@code UnsafeBuffer} (Aeron: {@code bus gateway}).
     *
     * @param what who needs it, for the message
     * @param where where the flag goes or what adds it, for the message
     * @throws MissingJvmFlagsException naming the flag
     */
    public static void requireAgrona(String what, String where) {
        Module agrona = org.agrona.concurrent.UnsafeBuffer.class.getModule();
        if (!Object.class.getModule().isExported(INTERNAL_MISC, agrona)) {
            throw new MissingJvmFlagsException(what + " needs the JVM flag " + String.join(" ", AGRONA)
                + "; add it to the java command line (" + where + ")", null);
        }
    }

    /**
     * Fails unless this JVM lets Chronicle Queue map its files: {@code java.base} exports {@code sun.nio.ch} and
     * opens {@code java.lang.reflect} to Chronicle. Without them Chronicle's first mapping fails with an
     * {@code AssertionError} from deep inside its start-up, which says nothing of the flags.
     *
     * @param what who needs the queue, for the message ("bus record", "a recording")
     * @throws MissingJvmFlagsException naming every flag of {@link #all()} that a recording uses
     */
    public static void requireChronicleQueue(String what) {
        Module chronicle = chronicleCoreModule();
        Module base = Object.class.getModule();
        if (!base.isExported("sun.nio.ch", chronicle) || !base.isOpen("java.lang.reflect", chronicle)) {
            throw new MissingJvmFlagsException(what + " needs Chronicle Queue, which cannot map its files in this JVM:"
                + " start java with " + String.join(" ", all()) + " (./bus adds them to record, replay and stat"
                + " --recordings; see CodecFlags)", null);
        }
    }

    /**
     * The module of Chronicle Core (whose start-up maps the files), found without initialising its classes:
     * their initialisation is what fails without the flags.
     */
    private static Module chronicleCoreModule() {
        try {
            return Class.forName("net.openhft.chronicle.core.OS", false, CodecFlags.class.getClassLoader()).getModule();
        } catch (ClassNotFoundException absent) {
            throw new MissingJvmFlagsException("Chronicle Core is not on the class path or module path (it comes"
                + " with bus-transport's chronicle-queue dependency, which recordings need)", absent);
        }
    }

    /** The typed form of Chronicle failing to start in this JVM (its classes failed to initialise). */
    static MissingJvmFlagsException chronicleFailed(Throwable failure) {
        return new MissingJvmFlagsException("Chronicle Bytes cannot start in this JVM (" + failure
            + "); run it with " + String.join(" ", CHRONICLE)
            + " (see CodecFlags.CHRONICLE): --sun-misc-unsafe-memory-access=deny stops Chronicle", failure);
    }
}
