package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 of a publisher process in the middle of a message: publisher A stops at a crash point
 * (claimed and nothing written, half the payload written, or all written but not committed) on its
 * K-th message; publisher B then publishes behind A's claim. While A lives (stopped, but alive)
 * the subscriber must wait at A's claim and B is held back by the full ring; once A is killed the
 * subscriber must turn A's claim into padding and carry on: it receives A's first K-1 messages and
 * every one of B's, none torn (checksums), in each publisher's order.
 */
class PublisherCrashTest {
    private static final int CRASH_AFTER = 50;
    private static final int B_MESSAGES = 1_500;
    private static final int CAPACITY = 16 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long RECOVERY_BOUND_NANOS = 5_000_000_000L;

    private final ProcessFixture fixture = new ProcessFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @ParameterizedTest(name = "crash point {0}")
    @ValueSource(strings = {"afterClaim", "midPayload", "beforeCommit"})
    @Timeout(120)
    void subscriberSkipsTheDeadPublishersClaimAndLosesNothingElse(String crashPoint) throws Exception {
        String dir = fixture.busDir().toString();
        String capacity = Integer.toString(CAPACITY);
        int expected = CRASH_AFTER - 1 + B_MESSAGES;
        ChildJvm subscriber = fixture.start("subscriber", SubscriberMain.class, "--dir", dir, "--topic", "crash",
            "--capacity", capacity, "--expect", Integer.toString(expected));
        subscriber.awaitLine("READY", TIMEOUT);
        ChildJvm crashing = fixture.start("publisher-A", PublisherMain.class,
            List.of("-Dringbus.test.crashPoint=" + crashPoint, "-Dringbus.test.crashAfter=" + CRASH_AFTER),
            "--dir", dir, "--topic", "crash", "--capacity", capacity, "--id", "1", "--count", "1000");
        crashing.awaitLine("CRASHPOINT " + crashPoint, TIMEOUT);
        subscriber.awaitLine("IDLE " + (CRASH_AFTER - 1), TIMEOUT);

        ChildJvm other = fixture.start("publisher-B", PublisherMain.class, "--dir", dir, "--topic", "crash",
            "--capacity", capacity, "--id", "2", "--count", Integer.toString(B_MESSAGES));
        other.awaitLine("BACKPRESSURED", TIMEOUT);
        Thread.sleep(500);
        assertEquals(List.of(), subscriber.lines("M 2 "),
            "nothing behind the claim of a live (stopped) publisher is delivered");
        int linesBeforeKill = subscriber.lines().size();

        long killedAt = crashing.kill9();
        int next = subscriber.awaitIndex(line -> line.startsWith("M 2 "), linesBeforeKill,
            "B's first message after the kill", TIMEOUT);
        long recoveryNanos = subscriber.arrival(next) - killedAt;
        System.out.printf("publisher crash at %s: subscriber carried on %.1f ms after kill -9%n", crashPoint,
            recoveryNanos / 1e6);

        assertEquals("DONE received=" + expected + " bad=0", subscriber.awaitLine("DONE", TIMEOUT),
            subscriber.describe());
        assertTrue(other.awaitLine("DONE", TIMEOUT).startsWith("DONE sent=" + B_MESSAGES + " "));
        List<String> fromA = subscriber.lines("M 1 ");
        List<String> fromB = subscriber.lines("M 2 ");
        assertEquals(List.of(), subscriber.lines("BAD"), "no torn message is delivered");
        assertEquals(expected, subscriber.lines("M ").size());
        assertEquals(expected, fromA.size() + fromB.size(), "only messages of A and B");
        for (int i = 0; i < CRASH_AFTER - 1; i++) {
            assertEquals("M 1 " + i, fromA.get(i));
        }
        assertEquals(CRASH_AFTER - 1, fromA.size(), "the dead publisher's unfinished message is not delivered");
        for (int i = 0; i < B_MESSAGES; i++) {
            assertEquals("M 2 " + i, fromB.get(i));
        }
        assertTrue(recoveryNanos < RECOVERY_BOUND_NANOS,
            "the subscriber carried on " + recoveryNanos / 1_000_000 + " ms after the kill (bound 5 s; aim 1 s)");
    }
}
