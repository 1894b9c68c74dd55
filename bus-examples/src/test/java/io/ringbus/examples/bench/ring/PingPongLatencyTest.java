package io.ringbus.examples.bench.ring;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.examples.bench.child.BenchFiles;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Chronicle Queue keeps every ping it is sent, so the ping-pong leaves it out where a run would fill
 * /dev/shm (as 64 KiB pings once did, until the OOM killer ended the benchmark), and runs it where the
 * run fits, saying why in the rows it leaves empty.
 */
class PingPongLatencyTest {
    private static RingOptions options(long roundTrips) {
        return new RingOptions(7, 10_000_000, 3, roundTrips, 100_000, 1_000, 5_000, 1 << 20, 0.3,
            Duration.ofSeconds(120), Duration.ofMillis(1_500), Duration.ofSeconds(20));
    }

    @Test
    void chronicleIsLeftOutWhereItsQueuesWouldNotFit() {
        try (BenchFiles files = BenchFiles.create()) {
            String why = PingPongLatency.chronicleWouldNotFit(65_536, options(500_000), files);
            assertTrue(why != null && why.contains("left out at 65536 bytes") && why.contains("GB free in"), why);
        }
    }

    @Test
    void chronicleRunsWhereItsQueuesFit() {
        try (BenchFiles files = BenchFiles.create()) {
            assertNull(PingPongLatency.chronicleWouldNotFit(64, options(1_000), files));
        }
    }
}
