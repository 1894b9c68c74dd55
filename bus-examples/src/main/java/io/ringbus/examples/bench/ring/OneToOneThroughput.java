package io.ringbus.examples.bench.ring;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.floor.FloorCheck;
import io.ringbus.examples.bench.report.Comparison;
import java.io.PrintStream;
import java.util.List;

/**
 * Throughput from one publisher process to one subscriber process: ringbus's single-producer ring
 * against Agrona's {@code OneToOneRingBuffer}, 64-byte messages, each on its own mapped file, and against
 * Chronicle Queue (one appender process, one spinning tailer process, {@link ChronicleQueuePeer}).
 *
 * <pre>
 *   publisher JVM                                      subscriber JVM
 *   +-------------------+   offer 64 B   +-------------+   poll (up to 1024)   +----------------------+
 *   | seq 0 .. n-1      | -------------> | ring (file) | --------------------> | copy out, check seq, |
 *   | spin when full    |                +-------------+                       | time first .. last   |
 *   +-------------------+                                                      +----------------------+
 * </pre>
 *
 * <p>Warm-up runs, then measured runs in the same two processes per ring, interleaved with the other
 * ring's, each after a {@link FloorCheck}; see {@link ThroughputHarness}. Target (issue 13): ringbus at
 * least 1.5x Agrona's messages per second (the moonshot, 2x, is in the README).
 */
final class OneToOneThroughput {
    static final ThroughputHarness.Topology TOPOLOGY =
        new ThroughputHarness.Topology("one-to-one", 1, 1, ProducerMode.SINGLE, "one", 1.5, true);
    /**
     * The same with ringbus's publisher offering {@value #BATCH} messages per {@code Publisher.offerBatch}
     * (one claim each); Agrona's writes one at a time, as it has no batch write. No target: for information.
     */
    static final int BATCH = 16;
    static final ThroughputHarness.Topology BATCHED =
        new ThroughputHarness.Topology("one-to-one batched x" + BATCH, 1, 1, ProducerMode.SINGLE, "one", Double.NaN,
            false, BATCH);

    private OneToOneThroughput() {
    }

    static List<Comparison> run(int length, String sizeLabel, RingOptions options, BenchFiles files,
        FloorCheck floor, PrintStream log) {
        return ThroughputHarness.run(TOPOLOGY, length, sizeLabel, options, files, floor, log);
    }

    static List<Comparison> runBatched(int length, String sizeLabel, RingOptions options, BenchFiles files,
        FloorCheck floor, PrintStream log) {
        return ThroughputHarness.run(BATCHED, length, sizeLabel, options, files, floor, log);
    }
}
