package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.ring.CursorDescriptor;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A subscriber process that stops reading holds a publisher process back: once the ring is full
 * the publisher's offers return BACK_PRESSURED (never an exception, never an overwrite), and after
 * the subscriber resumes it receives everything. Two ways to stall: SIGSTOP (the process is alive
 * but frozen, and must not be declared dead: its slot stays and keeps holding the publisher back
 * for seconds), and a subscriber that joined and never polls until told to.
 */
class BackPressureAcrossProcessesTest {
    private static final int CAPACITY = 16 * 1024;
    private static final int MESSAGES = 2_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long STALL_MILLIS = 3_000;

    private final ProcessFixture fixture = new ProcessFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @ParameterizedTest(name = "stalled by {0}")
    @ValueSource(strings = {"SIGSTOP", "never polling"})
    @Timeout(120)
    void stalledSubscriberBackPressuresThePublisherAndLosesNothing(String stall) throws Exception {
        String dir = fixture.busDir().toString();
        String capacity = Integer.toString(CAPACITY);
        boolean stop = stall.equals("SIGSTOP");
        ChildJvm subscriber = fixture.start("subscriber", SubscriberMain.class, "--dir", dir, "--topic", "bp",
            "--capacity", capacity, "--expect", Integer.toString(MESSAGES), "--hold", Boolean.toString(!stop));
        subscriber.awaitLine("READY", TIMEOUT);
        if (stop) {
            subscriber.signal(ChildJvm.SIGSTOP);
        }
        ChildJvm publisher = fixture.start("publisher", PublisherMain.class, "--dir", dir, "--topic", "bp",
            "--capacity", capacity, "--id", "7", "--count", Integer.toString(MESSAGES));
        String refused = publisher.awaitLine("BACKPRESSURED", TIMEOUT);
        int firstRefused = Integer.parseInt(refused.split(" ")[1]);

        try (TopicProbe probe = TopicProbe.open(fixture.topicPath("bp"))) {
            int slot = probe.slotOfPid(subscriber.pid());
            assertTrue(slot >= 0, "the subscriber's slot is found");
            long tail = probe.tail();
            long held = tail - probe.slotPosition(slot);
            // Refused only when the next record (at most 24 + 99 + 16 bytes, plus a wrap's padding) does not fit.
            assertTrue(held > CAPACITY - 2 * 160 && held <= CAPACITY,
                "back-pressure starts when the ring is full: " + held + " of " + CAPACITY + " bytes unread");
            Thread.sleep(STALL_MILLIS);
            assertEquals(CursorDescriptor.ACTIVE, probe.slotState(slot),
                "after " + STALL_MILLIS + " ms the stalled subscriber's slot is still active (not declared dead)");
            assertEquals(tail, probe.tail(), "the publisher made no progress past the stalled subscriber");
            assertEquals(List.of(), publisher.lines("RESUMED"), "the publisher is still held back");
            assertTrue(publisher.isAlive(), publisher.describe());
            System.out.println("back-pressure (" + stall + "): first refused offer at message " + firstRefused
                + " with " + held + " of " + CAPACITY + " bytes unread; still held after " + STALL_MILLIS + " ms");
        }

        if (stop) {
            subscriber.signal(ChildJvm.SIGCONT);
        } else {
            subscriber.send("poll");
        }
        publisher.awaitLine("RESUMED", TIMEOUT);
        String done = publisher.awaitLine("DONE", TIMEOUT);
        assertTrue(done.startsWith("DONE sent=" + MESSAGES + " "), done);
        assertEquals("DONE received=" + MESSAGES + " bad=0", subscriber.awaitLine("DONE", TIMEOUT),
            subscriber.describe());
        List<String> messages = subscriber.lines("M ");
        for (int i = 0; i < MESSAGES; i++) {
            assertEquals("M 7 " + i, messages.get(i), "message " + i);
        }
        assertEquals(0, publisher.awaitExit(TIMEOUT), publisher.describe());
        assertEquals(List.of(), publisher.lines("UNTYPED"));
        assertEquals(List.of(), publisher.lines("ERROR"));
        System.out.println("back-pressure (" + stall + "): " + done);
    }
}
