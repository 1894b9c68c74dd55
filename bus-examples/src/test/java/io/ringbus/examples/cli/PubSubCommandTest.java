package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code bus pub} and {@code bus sub}, through the real command line, in this JVM and across processes. */
class PubSubCommandTest {
    private Path directory;

    @BeforeEach
    void createDirectory() throws Exception {
        directory = Cli.newBusDirectory();
    }

    @AfterEach
    void removeDirectory() throws Exception {
        Cli.deleteTree(directory.getParent());
    }

    private String dir() {
        return directory.toString();
    }

    /** {@code printf 'a\nb\nc\n' | bus pub t}, then {@code bus sub t --count 3 --from earliest}, each its own JVM. */
    /**
     * Lines are for people and turn bytes that are not UTF-8 into U+FFFD; {@code --framed} hands every byte
     * on unchanged, each message as a frame (length, type, payload), through standard output itself.
     */
    @Test
    void framedOutputIsByteTransparent() throws Exception {
        String dir = "'" + directory + "'";
        Cli.Result result = Cli.bash("set -e -o pipefail\n"
            + "printf '\\377\\376abc\\nplain\\n' | \"$BUS\" pub t --dir " + dir + "\n"
            + "\"$BUS\" sub t --dir " + dir + " --from earliest --count 2 --framed | od -A n -v -t x1\n"
            + "\"$BUS\" sub t --dir " + dir + " --from earliest --count 1 | od -A n -v -t x1\n", 120);
        assertEquals(0, result.exitCode(), result.out() + result.err());
        List<String> dumps = result.out().lines().map(String::trim).toList();
        assertEquals("05 00 00 00 00 00 00 00 ff fe 61 62 63 05 00 00 00 00 00 00 00 70 6c 61 69 6e",
            String.join(" ", dumps.subList(0, dumps.size() - 1)), "the two frames, every byte as published");
        assertEquals("ef bf bd ef bf bd 61 62 63 0a", dumps.getLast(), "the line, with U+FFFD for each bad byte");
    }

    @Test
    void pipedLinesReachALaterEarliestSubscriberAcrossProcesses() throws Exception {
        Process pub = Cli.start("pub", "t", "--dir", dir());
        try (OutputStream stdin = pub.getOutputStream()) {
            stdin.write("a\nb\nc\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(0, Cli.await(pub, 60), "bus pub exit code");
        assertEquals("", new String(pub.getInputStream().readAllBytes(), StandardCharsets.UTF_8));

        Process sub = Cli.start("sub", "t", "--count", "3", "--from", "earliest", "--dir", dir());
        sub.getOutputStream().close();
        String printed = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, Cli.await(sub, 60), "bus sub exit code");
        assertEquals("a\nb\nc\n", printed);
    }

    @Test
    void pipedLinesReachALaterEarliestSubscriberInProcess() {
        Cli.Result pub = Cli.run("a\nb\nc\n", "pub", "t", "--dir", dir());
        assertEquals(0, pub.exitCode(), pub.err());
        Cli.Result sub = Cli.run("", "sub", "t", "--count", "3", "--from", "earliest", "--dir", dir());
        assertEquals(0, sub.exitCode(), sub.err());
        assertEquals("a\nb\nc\n", sub.out());
        assertEquals("", sub.err());
    }

    /** {@code sub --time}: each line starts with its publish time on a timestamped topic, with '-' on others. */
    @Test
    void subShowsPublishTimes() {
        long before = java.time.Instant.now().toEpochMilli();
        assertEquals(0, Cli.run("a\nb\n", "pub", "stamped", "--timestamps", "--dir", dir()).exitCode());
        assertEquals(0, Cli.run("c\n", "pub", "plain", "--dir", dir()).exitCode());
        Cli.Result stamped = Cli.run("", "sub", "stamped", "--count", "2", "--from", "earliest", "--time", "--dir",
            dir());
        assertEquals(0, stamped.exitCode(), stamped.err());
        List<String> lines = stamped.out().lines().toList();
        assertEquals(2, lines.size(), stamped.out());
        for (int i = 0; i < 2; i++) {
            String[] fields = lines.get(i).split(" ");
            assertEquals(List.of("a", "b").get(i), fields[1], lines.get(i));
            long millis = java.time.Instant.parse(fields[0]).toEpochMilli();
            assertTrue(millis >= before && millis <= java.time.Instant.now().toEpochMilli(), lines.get(i));
        }
        Cli.Result plain = Cli.run("", "sub", "plain", "--count", "1", "--from", "earliest", "--time", "--dir", dir());
        assertEquals("- c\n", plain.out(), plain.err());
    }

    /** A subscriber that waits (parked, in another JVM) is woken by each line a later publisher sends. */
    @Test
    void aWaitingSubscriberInAnotherProcessGetsLinesPublishedAfterIt() throws Exception {
        Process sub = Cli.start("sub", "live", "--count", "2", "--dir", dir());
        sub.getOutputStream().close();
        CompletableFuture<byte[]> printed = CompletableFuture.supplyAsync(() -> {
            try {
                return sub.getInputStream().readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Cli.awaitTopic(directory, "live", t -> t.subscribers().stream().anyMatch(s -> s.pid() == sub.pid()));
        Cli.Result pub = Cli.run("x\ny\n", "pub", "live", "--dir", dir());
        assertEquals(0, pub.exitCode(), pub.err());
        assertEquals(0, Cli.await(sub, 60));
        assertEquals("x\ny\n", new String(printed.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    }

    @Test
    void emptyLinesALastLineWithoutNewlineAndUtf8AreKept() {
        assertEquals(0, Cli.run("héllo → ∞\n\nlast", "pub", "u", "--dir", dir()).exitCode());
        Cli.Result sub = Cli.run("", "sub", "u", "--count", "3", "--from", "earliest", "--dir", dir());
        assertEquals("héllo → ∞\n\nlast\n", sub.out());
    }

    /** More lines than the ring holds, while a subscriber reads slowly: pub waits, and nothing is lost. */
    @Test
    void pubWaitsOutBackPressureAndLosesNothing() throws Exception {
        int lines = 2_000;
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            input.append("line ").append(i).append('\n');
        }
        try (Bus bus = Bus.open(new BusContext().directory(directory));
             Subscriber subscriber = bus.newSubscriber("small", new TopicConfig().capacity(4096),
                 new SubscriberConfig().start(StartPosition.EARLIEST))) {
            CompletableFuture<Cli.Result> pub = CompletableFuture.supplyAsync(() -> Cli.run(
                new ByteArrayInputStream(input.toString().getBytes(StandardCharsets.UTF_8)),
                "pub", "small", "--capacity", "4k", "--dir", dir()));
            List<String> received = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received.size() < lines && System.nanoTime() < deadline) {
                subscriber.await((type, buffer, offset, length) -> received.add(new String(
                    buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8)),
                    7, 100_000_000L);
                Thread.sleep(0, 100_000); // slower than the publisher: the 4 KiB ring fills
            }
            Cli.Result result = pub.get(60, TimeUnit.SECONDS);
            assertEquals(0, result.exitCode(), result.err());
            assertEquals(lines, received.size());
            for (int i = 0; i < lines; i++) {
                assertEquals("line " + i, received.get(i));
            }
        }
    }

    @Test
    void aLineLongerThanTheTopicAllowsIsOneErrorLine() {
        String longLine = "x".repeat(200) + "\n";
        Cli.Result pub = Cli.run("short\n" + longLine, "pub", "tiny", "--capacity", "1k", "--dir", dir());
        assertEquals(1, pub.exitCode());
        assertEquals(1, pub.errLines().size(), pub.err());
        assertTrue(pub.err().startsWith("bus pub: line 2 is longer"), pub.err());
        Cli.Result sub = Cli.run("", "sub", "tiny", "--count", "1", "--from", "earliest", "--dir", dir());
        assertEquals("short\n", sub.out());
    }

    @Test
    void subTimesOutWithExitOneWhenFewerMessagesCame() {
        assertEquals(0, Cli.run("only\n", "pub", "few", "--dir", dir()).exitCode());
        Cli.Result sub = Cli.run("", "sub", "few", "--count", "2", "--from", "earliest", "--timeout", "0.5",
            "--dir", dir());
        assertEquals(1, sub.exitCode());
        assertEquals("only\n", sub.out());
        assertEquals("bus sub: timed out after 0.5 s with 1 of 2 messages", sub.err().strip());
    }

    @Test
    void aDurableSubscriberResumesWhereTheLastOneOfItsNameStopped() {
        assertEquals(0, Cli.run("1\n2\n3\n", "pub", "d", "--dir", dir()).exitCode());
        Cli.Result first = Cli.run("", "sub", "d", "--name", "audit", "--from", "earliest", "--count", "2",
            "--dir", dir());
        assertEquals("1\n2\n", first.out());
        Cli.Result second = Cli.run("", "sub", "d", "--name", "audit", "--count", "1", "--dir", dir());
        assertEquals("3\n", second.out());
    }

    /** The shell example: {@code ls | bus pub files}, then {@code bus sub files --count N | wc -l} prints N. */
    @Test
    void lsPipedIntoPubAndSubCountPipedIntoWcInAShell() throws Exception {
        Cli.Result pub = Cli.bash("ls / | $BUS pub files --dir " + dir(), 90);
        assertEquals(0, pub.exitCode(), pub.err());
        Cli.Result sub = Cli.bash("set -o pipefail; $BUS sub files --dir " + dir()
            + " --from earliest --count $(ls / | wc -l) | wc -l; ls / | wc -l", 90);
        assertEquals(0, sub.exitCode(), sub.err());
        List<String> counts = sub.out().lines().map(String::strip).toList();
        assertEquals(2, counts.size(), sub.out());
        assertEquals(counts.get(1), counts.get(0), "sub printed as many lines as ls did");
        assertEquals("", sub.err());
    }

    /** {@code --count N} stops at N even when more messages are there, and the live form: sub joined first. */
    @Test
    void subCountStopsAfterNMessagesOfMore() throws Exception {
        assertEquals(0, Cli.run("1\n2\n3\n4\n5\n6\n", "pub", "n", "--dir", dir()).exitCode());
        Cli.Result sub = Cli.bash("$BUS sub n --dir " + dir() + " --from earliest --count 4 | wc -l", 90);
        assertEquals("4", sub.out().strip(), sub.err());
        Cli.Result live = Cli.bash("$BUS sub n --dir " + dir() + " --count 2 > " + directory.getParent()
            + "/live.out & until $BUS stat --dir " + dir() + " | grep -q 'subscribers: 1 of'; do sleep 0.2; done;"
            + " printf 'x\\ny\\nz\\n' | $BUS pub n --dir " + dir() + "; wait $!; echo \"status $?\";"
            + " cat " + directory.getParent() + "/live.out", 120);
        assertEquals("status 0\nx\ny\n", live.out(), live.err());
    }

    /** {@code bus sub | head -1}: sub notices that nobody reads, though no more messages come, and exits 0. */
    @Test
    void subExitsQuietlyWhenTheReaderOfItsOutputGoes() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            lines.append("line ").append(i).append('\n');
        }
        assertEquals(0, Cli.run(lines.toString(), "pub", "many", "--dir", dir()).exitCode());
        long start = System.nanoTime();
        Cli.Result result = Cli.bash("$BUS sub many --dir " + dir() + " --from earliest | head -1;"
            + " echo \"status ${PIPESTATUS[0]}\"", 60);
        assertEquals("line 0\nstatus 0\n", result.out(), result.err());
        assertEquals("", result.err(), "no stack trace, no message");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60));
    }
}
