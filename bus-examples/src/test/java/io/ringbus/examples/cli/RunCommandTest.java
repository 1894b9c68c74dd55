package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
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

/** {@code bus run --lines}: a plain program between two topics, its exit status, signals passed on. */
class RunCommandTest {
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

    @Test
    void trUpperCasesTheMessagesOfOneTopicIntoAnother() throws Exception {
        long self = ProcessHandle.current().pid();
        CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run("", "run", "--dir", dir(),
            "--lines", "--sub", "in", "--count", "3", "--pub", "out", "--", "tr", "a-z", "A-Z"));
        Cli.awaitTopic(directory, "in", t -> t.subscribers().stream().anyMatch(s -> s.pid() == self));
        assertEquals(0, Cli.run("hello\nring bus\nmixed Case 42\nnot read\n", "pub", "in", "--dir", dir())
            .exitCode());
        Cli.Result result = run.get(60, TimeUnit.SECONDS);
        assertEquals(0, result.exitCode(), "tr's status once its input ended after --count 3: " + result.err());
        Cli.Result out = Cli.run("", "sub", "out", "--dir", dir(), "--from", "earliest", "--count", "3",
            "--timeout", "10");
        assertEquals("HELLO\nRING BUS\nMIXED CASE 42\n", out.out(), out.err());
    }

    @Test
    void theExitStatusIsTheChilds() {
        Cli.Result result = Cli.run("", "run", "--dir", dir(), "--lines", "--pub", "out", "--", "sh", "-c",
            "echo partial; exit 3");
        assertEquals(3, result.exitCode(), result.err());
        assertEquals("partial\n", Cli.run("", "sub", "out", "--dir", dir(), "--from", "earliest", "--count", "1")
            .out());
    }

    /** SIGTERM to {@code bus run} reaches the child, whose trap publishes a line and sets the exit status. */
    @Test
    void sigtermIsPassedOnToTheChild() throws Exception {
        Process run = Cli.start("run", "--dir", dir(), "--lines", "--sub", "in", "--pub", "out", "--", "sh", "-c",
            "trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.05; done");
        run.getOutputStream().close();
        Cli.Result ready = Cli.run("", "sub", "out", "--dir", dir(), "--from", "earliest", "--count", "1",
            "--timeout", "60");
        assertEquals("ready\n", ready.out(), ready.err());
        Cli.awaitTopic(directory, "in", t -> t.subscribers().stream().anyMatch(s -> s.pid() == run.pid()));
        run.destroy(); // SIGTERM
        assertEquals(7, Cli.await(run, 60), "the child's status, from its TERM trap");
        Cli.Result got = Cli.run("", "sub", "out", "--dir", dir(), "--from", "earliest", "--count", "2",
            "--timeout", "10");
        assertEquals("ready\ngot TERM\n", got.out(), got.err());
    }

    @Test
    void usageErrors() {
        Cli.Result noTopic = Cli.run("", "run", "--lines", "--", "cat");
        assertEquals(2, noTopic.exitCode());
        assertTrue(noTopic.err().startsWith("bus run: --lines needs --pub TOPIC, --sub TOPIC or both"), noTopic.err());
        Cli.Result noCommand = Cli.run("", "run", "--lines", "--sub", "in");
        assertEquals(2, noCommand.exitCode());
        assertTrue(noCommand.err().startsWith("bus run: Missing required parameter: 'COMMAND'"), noCommand.err());
        Cli.Result missing = Cli.run("", "run", "--dir", dir(), "--lines", "--pub", "o", "--",
            "/nonexistent/program");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().startsWith("bus run: cannot run /nonexistent/program"), missing.err());
    }

    /**
     * Without --lines: a Java child using {@code BusClients.open("pipe:")} publishes through the embedded
     * bridge. Its 2,000 frames fit in the pipe, the 4 KiB ring does not hold them and the subscriber here
     * reads slowly, so the child has exited long before the bridge published its last frames: {@code bus
     * run} waits for them, and nothing is lost.
     */
    @Test
    void aRingbusAwareChildPublishesOverItsStandardStreams() throws Exception {
        List<String> command = new ArrayList<>(List.of("run", "--dir", dir(), "--",
            ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"), PipePublisherMain.class.getName(), "t"));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            command.add("m" + i);
            expected.add("m" + i);
        }
        List<String> received = new ArrayList<>();
        try (Bus bus = Bus.open(new BusContext().directory(directory));
             Subscriber subscriber = bus.newSubscriber("t", new TopicConfig().capacity(4096),
                 new SubscriberConfig().start(StartPosition.EARLIEST))) {
            CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(
                () -> Cli.run("", command.toArray(String[]::new)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received.size() < expected.size() && System.nanoTime() < deadline) {
                subscriber.await((type, buffer, offset, length) -> received.add(new String(
                    buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8)),
                    10, 100_000_000L);
                Thread.sleep(1); // slower than the child: the ring stays full
            }
            Cli.Result result = run.get(60, TimeUnit.SECONDS);
            assertEquals(0, result.exitCode(), result.err());
        }
        assertEquals(expected, received);
    }

    /** Without --lines: {@code bus sub --via pipe:} as the child, printing (to standard error) what was published. */
    @Test
    void aBusSubChildSubscribesOverItsStandardStreams() throws Exception {
        Cli.Result result = Cli.bash("$BUS run --dir " + dir() + " -- $BUS sub t --via pipe: --count 2 2> "
            + directory.getParent() + "/sub.err & until $BUS stat --dir " + dir()
            + " 2>/dev/null | grep -q 'subscribers: 1 of'; do sleep 0.2; done;"
            + " printf 'p\\nq\\nr\\n' | $BUS pub t --dir " + dir() + "; wait $!; echo \"status $?\";"
            + " cat " + directory.getParent() + "/sub.err", 120);
        assertEquals("status 0\np\nq\n", result.out(), result.err());
    }

    @Test
    void withoutLinesTheExitStatusIsTheChildsToo() {
        Cli.Result result = Cli.run("", "run", "--dir", dir(), "--", "sh", "-c", "exit 5");
        assertEquals(5, result.exitCode(), result.err());
        Cli.Result lines = Cli.run("", "run", "--dir", dir(), "--sub", "t", "--", "cat");
        assertEquals(2, lines.exitCode());
        assertTrue(lines.err().startsWith("bus run: --pub, --sub and --count go with --lines"), lines.err());
        Cli.Result pub = Cli.run("", "pub", "t", "--via", "pipe:");
        assertEquals(2, pub.exitCode());
        assertTrue(pub.err().startsWith("bus pub: --via pipe: makes standard input carry frames"), pub.err());
    }
}
