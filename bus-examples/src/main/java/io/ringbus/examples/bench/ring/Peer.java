package io.ringbus.examples.bench.ring;

import java.util.List;

/**
 * The rings and queues {@code bus bench ring} runs side by side, ringbus and the peers it is compared
 * with (a row of the table pairs ringbus with one of them), and the JVM flags their child JVMs get.
 */
enum Peer {
    /** ringbus as users embed it: {@code Bus}, {@code Publisher.offer}, {@code Subscriber.poll}. */
    RINGBUS("ringbus", List.of()),
    /** ringbus's bare ring ({@code RingWriter}, {@code RingReader}): the topic layer's cost is the difference. */
    RING("ringbus ring", List.of()),
    /** Only the JVMs that run Agrona get its flag: its UnsafeBuffer needs jdk.internal.misc.Unsafe. */
    AGRONA("Agrona", List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED")),
    CHRONICLE("Chronicle Queue", ChronicleQueuePeer.JVM_FLAGS);

    private final String label;
    private final List<String> jvmFlags;

    Peer(String label, List<String> jvmFlags) {
        this.label = label;
        this.jvmFlags = jvmFlags;
    }

    String label() {
        return label;
    }

    /** The flags only this peer's JVMs get (never ringbus's): Agrona's add-exports, Chronicle's add-opens. */
    List<String> jvmFlags() {
        return jvmFlags;
    }
}
