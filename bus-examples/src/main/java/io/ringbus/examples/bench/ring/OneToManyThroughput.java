package io.ringbus.examples.bench.ring;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.floor.FloorCheck;
import io.ringbus.examples.bench.report.Comparison;
import java.io.PrintStream;
import java.util.List;

/**
 * Fan-out throughput from one publisher process to two subscriber processes, each of which receives every
 * message: ringbus's single-producer ring read by two readers (a cursor each) against two Agrona
 * {@code OneToOneRingBuffer}s written by the same publisher. Agrona's ring buffers have a single consumer,
 * so it has no fan-out of its own: its publisher writes every message into both rings, one per subscriber.
 *
 * <pre>
 *   ringbus:                                                +--> subscriber JVM 0 (its own cursor)
 *   publisher JVM --- offer once ---> ring (file) --------+
 *                                                           +--> subscriber JVM 1 (its own cursor)
 *
 *   Agrona (2 rings):            +--- write ---> OneToOneRingBuffer 0 (file) ---> subscriber JVM 0
 *   publisher JVM ---------------+
 *                                +--- write ---> OneToOneRingBuffer 1 (file) ---> subscriber JVM 1
 * </pre>
 *
 * <p>A run's rate is its slower subscriber's. Three busy processes share this machine's two cores, so
 * every child yields its core whenever it waits, for both rings alike. Target (issue 13): at least
 * Agrona's rate. See {@link ThroughputHarness}.
 */
final class OneToManyThroughput {
    static final ThroughputHarness.Topology TOPOLOGY =
        new ThroughputHarness.Topology("one-to-many", 1, 2, ProducerMode.SINGLE, "one", 1.0, false);

    private OneToManyThroughput() {
    }

    static List<Comparison> run(int length, String sizeLabel, RingOptions options, BenchFiles files,
        FloorCheck floor, PrintStream log) {
        return ThroughputHarness.run(TOPOLOGY, length, sizeLabel, options, files, floor, log);
    }
}
