package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A BLOCKING subscriber process with no traffic really parks: its whole process uses less than 5%
 * of a core over 3 s (utime + stime from /proc/pid/stat). A functional check, not a benchmark; a
 * SPIN subscriber measured the same way shows that the measurement tells spinning from parking.
 */
class IdleCpuTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Clock ticks per second of /proc/pid/stat times (USER_HZ, 100 on Linux x86_64 and aarch64). */
    private static final double TICKS_PER_SECOND = 100;
    private static final double BOUND_PERCENT = 5;

    private final ProcessFixture fixture = new ProcessFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    @Timeout(120)
    void parkedSubscriberUsesAlmostNoCpu() throws Exception {
        ChildJvm subscriber = fixture.start("blocking", SubscriberMain.class, "--dir", fixture.busDir().toString(),
            "--topic", "quiet");
        subscriber.awaitLine("READY", TIMEOUT);
        try (TopicProbe probe = TopicProbe.open(fixture.topicPath("quiet"))) {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (probe.parkedCount() == 0) {
                assertTrue(System.nanoTime() < deadline, "the subscriber never parked");
                Thread.sleep(10);
            }
        }
        Thread.sleep(1000); // let the child's start-up compilation settle
        double percent = cpuPercent(subscriber.pid(), 3000);
        System.out.printf("idle CPU of a parked BLOCKING subscriber process: %.2f%% of a core over 3 s%n", percent);
        assertTrue(percent < BOUND_PERCENT, "a parked subscriber uses " + percent + "% of a core");
    }

    @Test
    @Timeout(120)
    void theMeasurementSeesASpinningSubscriber() throws Exception {
        ChildJvm subscriber = fixture.start("spinning", SubscriberMain.class, "--dir", fixture.busDir().toString(),
            "--topic", "quiet", "--wakeup", "SPIN", "--busy-spin", "true");
        subscriber.awaitLine("READY", TIMEOUT);
        Thread.sleep(500);
        double percent = cpuPercent(subscriber.pid(), 2000);
        System.out.printf("CPU of a SPIN subscriber process with no traffic: %.1f%% of a core over 2 s%n", percent);
        assertTrue(percent > BOUND_PERCENT, "a spinning subscriber shows " + percent + "% of a core");
    }

    /** Percent of one core the process used over {@code millis} (all its threads). */
    private static double cpuPercent(long pid, long millis) throws Exception {
        long before = cpuTicks(pid);
        long start = System.nanoTime();
        Thread.sleep(millis);
        long ticks = cpuTicks(pid) - before;
        double seconds = (System.nanoTime() - start) / 1e9;
        return 100.0 * ticks / TICKS_PER_SECOND / seconds;
    }

    /** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/pid/stat). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields[0] is field 3 (state): utime is field 14, stime field 15.
        return Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
    }
}
