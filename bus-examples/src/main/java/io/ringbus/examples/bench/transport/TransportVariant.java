package io.ringbus.examples.bench.transport;

import java.util.Locale;

/**
 * One measured setting of {@code bus bench transport}: the path, how the endpoints wait, and where
 * the shared-memory end of a stream path runs.
 */
record TransportVariant(Via via, TransportWait waitMode, PeerAt peerAt) {
    /** The access paths. */
    enum Via {
        UNIX("unix", "a plain SocketChannel pair over a Unix socket"),
        TCP("tcp", "a plain SocketChannel pair over TCP on 127.0.0.1, TCP_NODELAY"),
        FIFO("fifo", "a plain pipe per direction (FIFOs, JDK FileChannels)"),
        PIPE("pipe", "a plain pipe per direction (FIFOs, JDK FileChannels)"),
        MQ("mq", "a plain POSIX message queue per direction (mq_send/mq_receive through FFM)"),
        SHM("shm", null);

        private final String label;
        private final String rawPeer;

        Via(String label, String rawPeer) {
            this.label = label;
            this.rawPeer = rawPeer;
        }

        String label() {
            return label;
        }

        /** What the raw peer of this path is, or null when it has none (shm: bench ring compares the ring). */
        String rawPeer() {
            return rawPeer;
        }

        boolean isStream() {
            return this != SHM;
        }

        static Via parse(String text) {
            String name = text.trim().toLowerCase(Locale.ROOT);
            for (Via via : values()) {
                if (via.label.equals(name)) {
                    return via;
                }
            }
            throw new IllegalArgumentException("--paths: unknown path '" + text + "'; choose from unix, tcp, fifo,"
                + " pipe, mq, shm");
        }
    }

    /** Where the shm end (pong, consumer, producer) of a stream path runs. */
    enum PeerAt {
        /** In the bridge's JVM, on the bus the bridge serves: one process hop, as the raw channel has. */
        BRIDGE("bridge", "in the bridge JVM"),
        /** In a JVM of its own on the bus: client, bridge and peer are three processes. */
        PROCESS("process", "in its own JVM");

        private final String label;
        private final String description;

        PeerAt(String label, String description) {
            this.label = label;
            this.description = description;
        }

        String label() {
            return label;
        }

        String description() {
            return description;
        }

        static PeerAt parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "bridge", "in-bridge" -> BRIDGE;
                case "process", "own" -> PROCESS;
                default -> throw new IllegalArgumentException("--peer: unknown placement '" + text
                    + "'; choose bridge or process");
            };
        }
    }

    /** Whether a raw channel is measured beside this variant. */
    boolean hasRawPeer() {
        return via.rawPeer() != null;
    }

    /** A short name for logs, tables and file names: {@code unix/blocking}, {@code tcp/spin/process}. */
    String label() {
        String label = via.label() + "/" + waitMode.label();
        return via.isStream() && peerAt == PeerAt.PROCESS ? label + "/peer-process" : label;
    }

    /** {@link #label()} usable in a file name. */
    String fileName() {
        return label().replace('/', '-');
    }
}
