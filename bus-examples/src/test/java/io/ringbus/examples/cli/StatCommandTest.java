package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code bus stat} shows live processes alive and crashed ones dead, in text and JSON. */
class StatCommandTest {
    private Path directory;
    private Process child;

    @BeforeEach
    void createDirectory() throws Exception {
        directory = Cli.newBusDirectory();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (child != null) {
            Cli.crash(child);
        }
        Cli.deleteTree(directory.getParent());
    }

    private Cli.Result stat(String... more) {
        String[] args = new String[more.length + 3];
        args[0] = "stat";
        args[1] = "--dir";
        args[2] = directory.toString();
        System.arraycopy(more, 0, args, 3, more.length);
        Cli.Result result = Cli.run("", args);
        assertEquals(0, result.exitCode(), result.err());
        return result;
    }

    /** The row of a slot: {@code SLOT PID STATUS ...}. */
    private static boolean hasRow(String out, long pid, String status) {
        return Pattern.compile("(?m)^    \\d+\\s+" + pid + "\\s+" + status + "\\b").matcher(out).find();
    }

    @Test
    void aLiveSubscriberIsAliveAndDeadOnceKilled() throws Exception {
        child = Cli.start("sub", "quotes", "--name", "audit", "--dir", directory.toString());
        long pid = child.pid();
        Cli.awaitTopic(directory, "quotes", t -> t.subscribers().stream().anyMatch(s -> s.pid() == pid));
        assertEquals(0, Cli.run("a\nb\n", "pub", "quotes", "--dir", directory.toString()).exitCode());

        String live = stat().out();
        assertTrue(live.contains("topic quotes  capacity 1 MiB"), live);
        assertTrue(live.contains("producer MANY"), live);
        assertTrue(hasRow(live, pid, "alive"), live);
        assertTrue(live.contains("audit"), live);
        assertFalse(hasRow(live, pid, "dead"), live);

        Cli.crash(child);
        String dead = stat().out();
        assertTrue(hasRow(dead, pid, "dead"), dead);
        assertFalse(hasRow(dead, pid, "alive"), dead);
        String json = stat("--json").out();
        assertTrue(json.contains("{\"slot\":0,\"pid\":" + pid + ",\"alive\":false,\"durableName\":\"audit\""), json);
    }

    @Test
    void aDeadSubscriberIsNotShownParked() throws Exception {
        child = Cli.start("sub", "quotes", "--dir", directory.toString());
        long pid = child.pid();
        // Idle, it parks on its futex word; stat shows it parked while it lives.
        Cli.awaitTopic(directory, "quotes", t -> t.subscribers().stream().anyMatch(s -> s.pid() == pid && s.parked()));
        String live = stat().out();
        assertTrue(Pattern.compile("(?m)^    0\\s+" + pid + "\\s+alive\\s+-\\s+\\d+\\s+\\d+\\s+yes\\s").matcher(live)
            .find(), live);

        Cli.crash(child); // killed while parked: its slot still says parked
        String dead = stat().out();
        assertTrue(Pattern.compile("(?m)^    0\\s+" + pid + "\\s+dead\\s+-\\s+\\d+\\s+\\d+\\s+no\\s").matcher(dead)
            .find(), dead);
        String json = stat("--json").out();
        assertTrue(json.contains("\"pid\":" + pid + ",\"alive\":false"), json);
        assertTrue(json.contains("\"parked\":false"), json);
        assertFalse(json.contains("\"parked\":true"), json);
        String watch = stat("--watch", "--count", "1").out();
        assertTrue(watch.contains("pid " + pid), watch);
        assertFalse(watch.contains("parked"), watch);
    }

    @Test
    void aLivePublisherIsAliveAndDeadOnceKilled() throws Exception {
        child = Cli.start("pub", "orders", "--dir", directory.toString());
        child.getOutputStream().write("first\n".getBytes(StandardCharsets.UTF_8));
        child.getOutputStream().flush(); // standard input stays open: the publisher stays
        long pid = child.pid();
        Cli.awaitTopic(directory, "orders", t -> t.tail() > 0 && !t.publishers().isEmpty());

        String live = stat().out();
        assertTrue(live.contains("publishers: 1 of 16 slots taken"), live);
        assertTrue(hasRow(live, pid, "alive"), live);
        assertTrue(stat("--json").out().contains("\"publishers\":[{\"slot\":0,\"pid\":" + pid
            + ",\"alive\":true,\"state\":\"live\"}]"));

        Cli.crash(child);
        String dead = stat().out();
        assertTrue(hasRow(dead, pid, "dead"), dead);
    }

    @Test
    void positionAndLagOfASubscriberThatDoesNotRead() throws Exception {
        try (var bus = io.ringbus.core.Bus.open(new io.ringbus.core.BusContext().directory(directory));
             var idle = bus.newSubscriber("lagging")) {
            assertEquals(0, Cli.run("0123456789\nsecond\n", "pub", "lagging", "--dir", directory.toString())
                .exitCode());
            TopicSnapshot snapshot = Cli.awaitTopic(directory, "lagging", t -> t.tail() > 0);
            TopicSnapshot.SubscriberSlot mine = snapshot.subscribers().stream()
                .filter(s -> s.pid() == ProcessHandle.current().pid()).findFirst().orElseThrow();
            assertEquals(0, mine.position());
            assertEquals(snapshot.tail(), mine.lag());
            assertTrue(mine.alive());
            String json = stat("--json").out();
            assertTrue(json.contains("\"position\":0,\"lag\":" + snapshot.tail() + ",\"parked\":false"), json);
            assertNotNull(idle);
        }
    }

    @Test
    void anEmptyBusSaysSo() throws Exception {
        java.nio.file.Files.createDirectories(directory);
        assertTrue(stat().out().contains("no topics"));
        assertEquals("{\"directory\":\"" + directory + "\",\"topics\":[],\"unreadable\":[],\"gateways\":[]}",
            stat("--json").out().strip());
    }
}
