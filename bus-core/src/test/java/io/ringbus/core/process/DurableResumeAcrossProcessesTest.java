package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A durable subscriber process receives part of a stream and goes away, killed with -9 or closed
 * normally; a new process with the same durable name resumes where it stopped: together they print
 * every message exactly once, in order.
 *
 * <p>The Subscriber contract allows one repeat when a process dies between a handler's return and
 * the single store of its position, so the kill is made to land while the subscriber waits: the
 * publisher has paused, the subscriber has printed every message sent and reported itself idle
 * (an await timed out), and only then is it killed. Messages published while no subscriber of the
 * name runs must be kept for the successor.
 */
class DurableResumeAcrossProcessesTest {
    private static final int FIRST = 40;
    private static final int WHILE_GONE = 40;
    private static final int AFTER = 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final ProcessFixture fixture = new ProcessFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @ParameterizedTest(name = "first subscriber {0}")
    @ValueSource(strings = {"killed -9", "closed"})
    @Timeout(120)
    void successorResumesWhereTheFirstStopped(String end) throws Exception {
        String dir = fixture.busDir().toString();
        String[] subscriberArgs = {"--dir", dir, "--topic", "audit", "--durable", "auditor"};
        ChildJvm first = fixture.start("durable-1", SubscriberMain.class, subscriberArgs);
        first.awaitLine("READY", TIMEOUT);
        ChildJvm publisher = fixture.start("publisher", PublisherMain.class, "--dir", dir, "--topic", "audit",
            "--id", "1", "--commands", "true");
        publisher.awaitLine("READY", TIMEOUT);

        publisher.send("send " + FIRST);
        publisher.awaitLine("SENT " + FIRST, TIMEOUT);
        first.awaitLine("IDLE " + FIRST, TIMEOUT);
        if (end.equals("closed")) {
            first.send("close");
            first.awaitLine("CLOSED", TIMEOUT);
            assertEquals(0, first.awaitExit(TIMEOUT), first.describe());
        } else {
            first.kill9();
        }

        publisher.send("send " + WHILE_GONE);
        publisher.awaitLine("SENT " + (FIRST + WHILE_GONE), TIMEOUT);
        ChildJvm second = fixture.start("durable-2", SubscriberMain.class, subscriberArgs);
        second.awaitLine("READY", TIMEOUT);
        second.awaitLine("IDLE " + WHILE_GONE, TIMEOUT);
        publisher.send("send " + AFTER);
        second.awaitLine("IDLE " + (WHILE_GONE + AFTER), TIMEOUT);

        List<String> firstMessages = first.lines("M ");
        List<String> secondMessages = second.lines("M ");
        List<String> union = new ArrayList<>(firstMessages);
        union.addAll(secondMessages);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < FIRST + WHILE_GONE + AFTER; i++) {
            expected.add("M 1 " + i);
        }
        assertEquals(FIRST, firstMessages.size(), first.describe());
        assertEquals(expected, union, "the two processes together received every message exactly once, in order");
        assertEquals(List.of(), first.lines("BAD"));
        assertEquals(List.of(), second.lines("BAD"));
        System.out.println("durable resume (" + end + "): first received " + firstMessages.size()
            + ", successor " + secondMessages.size() + " starting at " + secondMessages.getFirst());
    }
}
