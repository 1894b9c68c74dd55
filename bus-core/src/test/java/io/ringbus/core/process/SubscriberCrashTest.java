package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.ring.CursorDescriptor;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * kill -9 of a subscriber process that holds a publisher process back (it joined and never
 * polled, and the small ring is full). A non-durable subscriber's slot dies with it: the publisher
 * publishes again within about a second. A durable subscriber's position outlives it: the
 * publisher stays held back until a successor of the same name resumes and reads everything.
 */
class SubscriberCrashTest {
    private static final int CAPACITY = 16 * 1024;
    private static final int MESSAGES = 1_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long RECOVERY_BOUND_NANOS = 5_000_000_000L;
    private static final long HELD_MILLIS = 2_500;

    private final ProcessFixture fixture = new ProcessFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    @Timeout(120)
    void publisherGoesOnSoonAfterANonDurableSubscriberIsKilled() throws Exception {
        String dir = fixture.busDir().toString();
        String capacity = Integer.toString(CAPACITY);
        ChildJvm live = fixture.start("live-subscriber", SubscriberMain.class, "--dir", dir, "--topic", "kill",
            "--capacity", capacity, "--expect", Integer.toString(MESSAGES));
        ChildJvm victim = fixture.start("stuck-subscriber", SubscriberMain.class, "--dir", dir, "--topic", "kill",
            "--capacity", capacity, "--hold", "true");
        live.awaitLine("READY", TIMEOUT);
        victim.awaitLine("READY", TIMEOUT);
        ChildJvm publisher = fixture.start("publisher", PublisherMain.class, "--dir", dir, "--topic", "kill",
            "--capacity", capacity, "--id", "3", "--count", Integer.toString(MESSAGES));
        publisher.awaitLine("BACKPRESSURED", TIMEOUT);
        Thread.sleep(300);
        assertEquals(List.of(), publisher.lines("RESUMED"), "held back by the subscriber that never polls");

        long killedAt;
        long recoveryNanos;
        try (TopicProbe probe = TopicProbe.open(fixture.topicPath("kill"))) {
            int slot = probe.slotOfPid(victim.pid());
            assertEquals(CursorDescriptor.ACTIVE, probe.slotState(slot));
            killedAt = victim.kill9();
            int resumed = publisher.awaitIndex(line -> line.startsWith("RESUMED"), 0, "RESUMED", TIMEOUT);
            recoveryNanos = publisher.arrival(resumed) - killedAt;
            assertEquals(CursorDescriptor.FREE, probe.slotState(slot), "the dead subscriber's slot was freed");
        }
        System.out.printf("subscriber crash: publisher published again %.1f ms after kill -9%n", recoveryNanos / 1e6);

        assertTrue(publisher.awaitLine("DONE", TIMEOUT).startsWith("DONE sent=" + MESSAGES + " "));
        assertEquals("DONE received=" + MESSAGES + " bad=0", live.awaitLine("DONE", TIMEOUT), live.describe());
        List<String> received = live.lines("M ");
        for (int i = 0; i < MESSAGES; i++) {
            assertEquals("M 3 " + i, received.get(i), "the live subscriber lost nothing");
        }
        assertTrue(recoveryNanos < RECOVERY_BOUND_NANOS,
            "published again " + recoveryNanos / 1_000_000 + " ms after the kill (bound 5 s; aim 1 s)");
    }

    @Test
    @Timeout(120)
    void killedDurableSubscriberKeepsItsPositionUntilItsSuccessorResumes() throws Exception {
        String dir = fixture.busDir().toString();
        String capacity = Integer.toString(CAPACITY);
        String[] durableArgs = {"--dir", dir, "--topic", "keep", "--capacity", capacity, "--durable", "ledger"};
        ChildJvm victim = fixture.start("durable-1", SubscriberMain.class, withHold(durableArgs));
        victim.awaitLine("READY", TIMEOUT);
        ChildJvm publisher = fixture.start("publisher", PublisherMain.class, "--dir", dir, "--topic", "keep",
            "--capacity", capacity, "--id", "4", "--count", Integer.toString(MESSAGES));
        publisher.awaitLine("BACKPRESSURED", TIMEOUT);

        try (TopicProbe probe = TopicProbe.open(fixture.topicPath("keep"))) {
            int slot = probe.slotOfPid(victim.pid());
            assertTrue(slot >= 0);
            long position = probe.slotPosition(slot);
            long tail = probe.tail();
            victim.kill9();
            Thread.sleep(HELD_MILLIS);
            assertEquals(CursorDescriptor.ACTIVE, probe.slotState(slot), "the dead durable subscriber's slot is kept");
            assertEquals(position, probe.slotPosition(slot), "its position is kept");
            assertEquals(tail, probe.tail(), "the publisher is still held back at that position");
            assertEquals(List.of(), publisher.lines("RESUMED"));
        }

        ChildJvm successor = fixture.start("durable-2", SubscriberMain.class, append(durableArgs,
            "--expect", Integer.toString(MESSAGES)));
        assertTrue(publisher.awaitLine("DONE", TIMEOUT).startsWith("DONE sent=" + MESSAGES + " "));
        assertEquals("DONE received=" + MESSAGES + " bad=0", successor.awaitLine("DONE", TIMEOUT),
            successor.describe());
        List<String> received = successor.lines("M ");
        for (int i = 0; i < MESSAGES; i++) {
            assertEquals("M 4 " + i, received.get(i), "the successor received everything from the kept position");
        }
        System.out.println("durable subscriber crash: publisher held " + HELD_MILLIS
            + " ms after kill -9, successor received all " + MESSAGES);
    }

    private static String[] withHold(String[] args) {
        return append(args, "--hold", "true");
    }

    private static String[] append(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }
}
