package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.TopicConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code bus stat --watch}: one reading per interval, with rates, as NDJSON or as timestamped text blocks. */
class StatWatchTest {
    private static final Pattern MESSAGE_RATE = Pattern.compile("\"messagesPerSecond\":([0-9.]+|null)");
    private static final Pattern BYTE_RATE = Pattern.compile("\"bytesPerSecond\":([0-9.]+|null)");

    private Path directory;
    private Process child;

    @BeforeEach
    void createDirectory() throws Exception {
        directory = Cli.newBusDirectory();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (child != null) {
            new ProcessBuilder("kill", "-CONT", Long.toString(child.pid())).start().waitFor();
            Cli.crash(child);
        }
        Cli.deleteTree(directory.getParent());
    }

    /** Publishes 64-byte messages (80-byte records) at about 1000 a second until stopped; counts them. */
    private static CompletableFuture<Void> publishSteadily(Publisher publisher, AtomicBoolean running,
        AtomicLong sent) {
        return CompletableFuture.runAsync(() -> {
            byte[] message = new byte[64];
            while (running.get()) {
                if (publisher.offer(message) >= 0) {
                    sent.incrementAndGet();
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    @Test
    void watchWithJsonPrintsOneObjectPerRefreshWithTheTopicsRates() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong sent = new AtomicLong();
        Cli.Result result;
        try (Bus bus = Bus.open(new BusContext().directory(directory))) {
            Publisher publisher = bus.newPublisher("ticks", new TopicConfig());
            CompletableFuture<Void> publishing = publishSteadily(publisher, running, sent);
            try {
                result = Cli.run("", "stat", "--dir", directory.toString(), "--watch", "--count", "2", "--json",
                    "--interval", "300ms");
            } finally {
                running.set(false);
                publishing.get(30, TimeUnit.SECONDS);
            }
        }
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(sent.get() > 0);
        List<String> lines = result.out().lines().toList();
        assertEquals(2, lines.size(), result.out());
        for (String line : lines) {
            assertTrue(line.startsWith("{\"time\":\"") && line.endsWith("}"), line);
            assertTrue(line.contains("\"name\":\"ticks\""), line);
            assertTrue(MESSAGE_RATE.matcher(line).find() && BYTE_RATE.matcher(line).find(), line);
        }
        // The first reading has nothing to compare with; the second one measured the publisher.
        assertTrue(lines.get(0).contains("\"messagesPerSecond\":null"), lines.get(0));
        double messages = rate(MESSAGE_RATE, lines.get(1));
        double bytes = rate(BYTE_RATE, lines.get(1));
        assertTrue(messages > 0, lines.get(1));
        assertEquals(80.0, bytes / messages, 1.0, "every record is 80 bytes: " + lines.get(1));
        assertTrue(lines.get(1).contains("\"messagesEstimated\":false"), lines.get(1));
    }

    private static double rate(Pattern pattern, String line) {
        Matcher matcher = pattern.matcher(line);
        assertTrue(matcher.find(), line);
        return Double.parseDouble(matcher.group(1));
    }

    @Test
    void watchWithoutATerminalPrintsATimestampedBlockPerRefresh() throws Exception {
        try (Bus bus = Bus.open(new BusContext().directory(directory))) {
            bus.newPublisher("ticks", new TopicConfig()).offer(new byte[8]);
            Cli.Result result = Cli.run("", "stat", "--dir", directory.toString(), "--watch", "--count", "3",
                "--interval", "100ms");
            assertEquals(0, result.exitCode(), result.err());
            String out = result.out();
            assertEquals(3, Pattern.compile("(?m)^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  bus ").matcher(out)
                .results().count(), out);
            assertEquals(3, Pattern.compile("(?m)^ticks +1/1 +0/0 +32 ").matcher(out).results().count(), out);
            assertFalse(out.contains("\033["), "no screen control codes when not on a terminal");
            assertTrue(out.contains("    pub 0   pid " + ProcessHandle.current().pid() + " "), out);
        }
    }

    @Test
    void aStoppedSubscriberShowsAsStoppedThenLive() throws Exception {
        child = Cli.start("sub", "quotes", "--dir", directory.toString());
        long pid = child.pid();
        Cli.awaitTopic(directory, "quotes", t -> t.subscribers().stream().anyMatch(s -> s.pid() == pid));
        String live = "\"pid\":" + pid + ",\"alive\":true,";
        assertTrue(stateOf(pid).equals("live"), Cli.run("", "stat", "--json", "--dir", directory.toString()).out());
        assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor());
        assertEquals("stopped", stateOf(pid));
        String watch = Cli.run("", "stat", "--dir", directory.toString(), "--watch", "--count", "1").out();
        assertTrue(Pattern.compile("(?m)^    sub 0   pid " + pid + " +stopped ").matcher(watch).find(), watch);
        assertEquals(0, new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor());
        assertEquals("live", stateOf(pid));
        assertTrue(Cli.run("", "stat", "--json", "--dir", directory.toString()).out().contains(live));
    }

    private String stateOf(long pid) {
        String json = Cli.run("", "stat", "--json", "--dir", directory.toString()).out();
        Matcher matcher = Pattern.compile("\"pid\":" + pid + ",[^}]*\"state\":\"(\\w+)\"").matcher(json);
        assertTrue(matcher.find(), json);
        return matcher.group(1);
    }

    @Test
    void countWithoutWatchIsAUsageError() {
        Cli.Result result = Cli.run("", "stat", "--dir", directory.toString(), "--count", "2");
        assertEquals(2, result.exitCode());
        assertTrue(result.err().contains("give --watch too"), result.err());
    }
}
