package io.ringbus.examples.bench.ring;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.floor.FloorCheck;
import io.ringbus.examples.bench.report.Comparison;
import java.io.PrintStream;
import java.util.List;

/**
 * Throughput from two publisher processes into one subscriber process: ringbus's many-producer ring
 * (a compare-and-set claim per message) against Agrona's {@code ManyToOneRingBuffer}, 64-byte messages.
 *
 * <pre>
 *   publisher JVM 0 --+  offer 64 B (CAS on the tail)
 *                     +-------------> +-------------+   poll (up to 1024)   +------------------------+
 *                     |               | ring (file) | --------------------> | subscriber JVM: copy   |
 *   publisher JVM 1 --+-------------> +-------------+                       | out, check each seq,   |
 *                                                                           | time first .. last     |
 *                                                                           +------------------------+
 * </pre>
 *
 * <p>Each publisher sends half of the messages. Three busy processes share this machine's two cores, so
 * every child yields its core whenever it waits, for both rings alike (see {@link ThroughputHarness}).
 * Target: ringbus at least as fast as Agrona's ManyToOneRingBuffer. See {@link ThroughputHarness}.
 */
final class ManyToOneThroughput {
    static final ThroughputHarness.Topology TOPOLOGY =
        new ThroughputHarness.Topology("two-to-one", 2, 1, ProducerMode.MANY, "many", 1.0, false);

    private ManyToOneThroughput() {
    }

    static List<Comparison> run(int length, String sizeLabel, RingOptions options, BenchFiles files,
        FloorCheck floor, PrintStream log) {
        return ThroughputHarness.run(TOPOLOGY, length, sizeLabel, options, files, floor, log);
    }
}
