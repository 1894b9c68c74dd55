package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * kill -9 of a many-producer publisher process while it writes the padding record of a claim that
 * covers the end of the ring (crash point {@code wrapPadding}: the tail is taken, the padding's
 * length and type are written, its commit stamp is not, and no claim marker exists yet). The
 * subscriber must recover the region from the dead publisher's claim intent and carry on: it
 * receives what A committed before, and every message of publisher B, none torn.
 */
class WrapPaddingCrashTest {
    private static final int WRAPS_BEFORE_CRASH = 3;
    private static final int B_MESSAGES = 1_500;
    private static final int CAPACITY = 16 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final ProcessFixture fixture = new ProcessFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    @Timeout(120)
    void subscriberRecoversTheDeadPublishersHalfWrittenWrap() throws Exception {
        String dir = fixture.busDir().toString();
        String capacity = Integer.toString(CAPACITY);
        ChildJvm subscriber = fixture.start("subscriber", SubscriberMain.class, "--dir", dir, "--topic", "wrap",
            "--capacity", capacity);
        subscriber.awaitLine("READY", TIMEOUT);
        ChildJvm crashing = fixture.start("publisher-A", PublisherMain.class,
            List.of("-Dringbus.test.crashPoint=wrapPadding", "-Dringbus.test.crashAfter=" + WRAPS_BEFORE_CRASH),
            "--dir", dir, "--topic", "wrap", "--capacity", capacity, "--id", "1", "--count", "100000");
        crashing.awaitLine("CRASHPOINT wrapPadding", TIMEOUT);
        Thread.sleep(500);
        int fromA = subscriber.lines("M 1 ").size();
        assertTrue(fromA > 0, "A committed messages before its crash");
        subscriber.awaitLine("IDLE " + fromA, TIMEOUT);

        ChildJvm other = fixture.start("publisher-B", PublisherMain.class, "--dir", dir, "--topic", "wrap",
            "--capacity", capacity, "--id", "2", "--count", Integer.toString(B_MESSAGES));
        other.awaitLine("BACKPRESSURED", TIMEOUT);
        Thread.sleep(300);
        assertEquals(List.of(), subscriber.lines("M 2 "), "nothing behind the live (stopped) publisher's claim");

        long killedAt = crashing.kill9();
        assertTrue(other.awaitLine("DONE", TIMEOUT).startsWith("DONE sent=" + B_MESSAGES + " "));
        int total = fromA + B_MESSAGES;
        int done = subscriber.awaitIndex(line -> line.equals("IDLE " + total), 0, "IDLE " + total, TIMEOUT);
        System.out.printf("publisher crash while writing wrap padding: subscriber had everything %.1f ms after"
            + " kill -9 (%d of A's, %d of B's)%n", (subscriber.arrival(done) - killedAt) / 1e6, fromA, B_MESSAGES);
        assertEquals(List.of(), subscriber.lines("BAD"), "no torn message is delivered");
        List<String> a = subscriber.lines("M 1 ");
        List<String> b = subscriber.lines("M 2 ");
        assertEquals(fromA, a.size(), "nothing more of A after its crash");
        for (int i = 0; i < fromA; i++) {
            assertEquals("M 1 " + i, a.get(i));
        }
        for (int i = 0; i < B_MESSAGES; i++) {
            assertEquals("M 2 " + i, b.get(i));
        }
    }

    /**
     * The same crash on a single-producer topic, whose publisher notes no claim intent: the region it
     * won is recovered from the tail (its last claim ends there), by the subscriber or by the successor
     * that takes the slot, whichever comes first.
     */
    @Test
    @Timeout(120)
    void aSingleProducersHalfWrittenWrapIsRecoveredFromTheTail() throws Exception {
        List<String> topic = List.of("--dir", fixture.busDir().toString(), "--topic", "wrap1",
            "--capacity", Integer.toString(CAPACITY), "--mode", "SINGLE");
        ChildJvm subscriber = fixture.start("subscriber", SubscriberMain.class, topic.toArray(String[]::new));
        subscriber.awaitLine("READY", TIMEOUT);
        List<String> crashingArgs = new ArrayList<>(topic);
        crashingArgs.addAll(List.of("--id", "1", "--count", "100000"));
        ChildJvm crashing = fixture.start("publisher-A", PublisherMain.class,
            List.of("-Dringbus.test.crashPoint=wrapPadding", "-Dringbus.test.crashAfter=" + WRAPS_BEFORE_CRASH),
            crashingArgs.toArray(String[]::new));
        crashing.awaitLine("CRASHPOINT wrapPadding", TIMEOUT);
        Thread.sleep(500);
        int fromA = subscriber.lines("M 1 ").size();
        assertTrue(fromA > 0, "A committed messages before its crash");
        subscriber.awaitLine("IDLE " + fromA, TIMEOUT);
        crashing.kill9();

        List<String> otherArgs = new ArrayList<>(topic);
        otherArgs.addAll(List.of("--id", "2", "--count", Integer.toString(B_MESSAGES)));
        ChildJvm other = fixture.start("publisher-B", PublisherMain.class, otherArgs.toArray(String[]::new));
        assertTrue(other.awaitLine("DONE", TIMEOUT).startsWith("DONE sent=" + B_MESSAGES + " "));
        int total = fromA + B_MESSAGES;
        subscriber.awaitIndex(line -> line.equals("IDLE " + total), 0, "IDLE " + total, TIMEOUT);
        assertEquals(List.of(), subscriber.lines("BAD"), "no torn message is delivered");
        List<String> a = subscriber.lines("M 1 ");
        List<String> b = subscriber.lines("M 2 ");
        assertEquals(fromA, a.size(), "nothing more of A after its crash");
        for (int i = 0; i < B_MESSAGES; i++) {
            assertEquals("M 2 " + i, b.get(i));
        }
    }
}
