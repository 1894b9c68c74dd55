package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A durable subscriber with explicit commits, killed -9 in another JVM: its successor resumes right
 * after its last commit, whatever it had printed since. The kill lands where the users lost
 * lines (after the output, before the commit), deterministically: the first subscriber prints
 * messages and commits only when told.
 */
class ExplicitCommitAcrossProcessesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final ProcessFixture fixture = new ProcessFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    @Timeout(120)
    void aKillAfterTheOutputButBeforeTheCommitRepeatsWhatCameAfterTheLastCommit() throws Exception {
        String dir = fixture.busDir().toString();
        String[] args = {"--dir", dir, "--topic", "ledger", "--durable", "ledger", "--commit", "command"};
        ChildJvm first = fixture.start("durable-1", SubscriberMain.class, args);
        first.awaitLine("READY", TIMEOUT);
        ChildJvm publisher = fixture.start("publisher", PublisherMain.class, "--dir", dir, "--topic", "ledger",
            "--id", "1", "--commands", "true");
        publisher.awaitLine("READY", TIMEOUT);

        publisher.send("send 40");
        first.awaitLine("IDLE 40", TIMEOUT);
        first.send("commit");
        first.awaitLine("COMMITTED 40", TIMEOUT);
        publisher.send("send 25");
        first.awaitLine("IDLE 65", TIMEOUT); // printed and flushed, not committed
        first.kill9();

        publisher.send("send 10");
        publisher.awaitLine("SENT 75", TIMEOUT);
        ChildJvm second = fixture.start("durable-2", SubscriberMain.class, "--dir", dir, "--topic", "ledger",
            "--durable", "ledger", "--commit", "each");
        second.awaitLine("READY", TIMEOUT);
        second.awaitLine("IDLE 35", TIMEOUT);
        second.send("close");
        second.awaitLine("CLOSED", TIMEOUT);
        assertEquals(0, second.awaitExit(TIMEOUT), second.describe());

        ChildJvm third = fixture.start("durable-3", SubscriberMain.class, "--dir", dir, "--topic", "ledger",
            "--durable", "ledger", "--commit", "each", "--await-ms", "300");
        third.awaitLine("READY", TIMEOUT);
        publisher.send("send 1");
        third.awaitLine("IDLE 1", TIMEOUT);

        assertEquals(messages(0, 65), first.lines("M "), first.describe());
        assertEquals(messages(40, 75), second.lines("M "), "the successor resumed after the last commit (40),"
            + " repeating the 25 printed but not committed");
        assertEquals(messages(75, 76), third.lines("M "), "after commits of everything, nothing comes again");
        for (ChildJvm child : List.of(first, second, third)) {
            assertEquals(List.of(), child.lines("BAD"));
        }
    }

    private static List<String> messages(int from, int to) {
        List<String> lines = new ArrayList<>();
        for (int i = from; i < to; i++) {
            lines.add("M 1 " + i);
        }
        return lines;
    }
}
