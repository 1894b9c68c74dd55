package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringbus.core.Publisher;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.BusClients;
import io.ringbus.transport.TransportContext;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Python client ({@code bus-transport/src/main/python/ringbus.py}) against a real {@code bus daemon}:
 * its own tests ({@code bus-transport/src/test/python/test_ringbus.py}, run with {@code python3 -m unittest})
 * on the daemon's Unix and TCP listeners, with messages published from Java for Python to read and from
 * Python for Java to read; and the README's Python example, run as written. Skipped, saying so, without
 * {@code python3}.
 */
class PythonClientTest {
    /** The repository's root: bus-examples is one of its modules. */
    private static final Path ROOT = Path.of(System.getProperty("basedir", "."), "..").toAbsolutePath().normalize();
    private static final Path MODULE = ROOT.resolve("bus-transport/src/main/python");
    private static final Path TESTS = ROOT.resolve("bus-transport/src/test/python");
    /** As in test_ringbus.py: what Java publishes for Python, and what Python publishes for Java. */
    private static final int JAVA_COUNT = 1000;
    private static final int PYTHON_COUNT = 1000;

    private Path root;
    private Path directory;

    @BeforeEach
    void requirePython() throws Exception {
        Cli.Result python = Cli.bash("command -v python3 && python3 -c 'import sys; assert sys.version_info >= (3, 8)'",
            30);
        if (python.exitCode() != 0) {
            System.err.println("PythonClientTest skipped: python3 (3.8 or later) is not installed");
        }
        assumeTrue(python.exitCode() == 0, "python3 (3.8 or later) is not installed; the Python client is untested");
        directory = Cli.newBusDirectory();
        root = directory.getParent();
    }

    @AfterEach
    void removeDirectory() throws Exception {
        if (directory != null) {
            long pid = PidFile.read(directory.resolve("daemon.pid"));
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        Cli.deleteTree(root);
    }

    @Test
    void thePythonTestsPassAgainstADaemonAndTalkWithJava() throws Exception {
        Path socket = root.resolve("bus.sock");
        Path tokenFile = root.resolve("bus.token");
        Files.write(tokenFile, ("python-test-token-" + System.nanoTime() + "\n").getBytes(StandardCharsets.US_ASCII));
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        Path authDirectory = root.resolve("auth-bus");
        try (Daemons.Running daemon = Daemons.start("--dir", directory.toString(), "--listen", "unix:" + socket,
            "--listen", "tcp://127.0.0.1:0");
            Daemons.Running authDaemon = Daemons.start("--dir", authDirectory.toString(), "--listen",
                "tcp://127.0.0.1:0", "--auth-token-file", tokenFile.toString())) {
            String unix = "unix:" + socket;
            String tcp = daemon.listening("tcp://");
            String run = Long.toString(ProcessHandle.current().pid());
            try (BusClient client = BusClients.open(new TransportContext().uri(unix))) {
                Publisher publisher = client.newPublisher("from-java-" + run, new TopicConfig());
                for (int i = 0; i < JAVA_COUNT; i++) {
                    byte[] payload = ("java " + i).getBytes(StandardCharsets.US_ASCII);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (publisher.offer(i % 7, MemorySegment.ofArray(payload), 0, payload.length) < 0) {
                        assertTrue(System.nanoTime() < deadline, "message " + i + " was not taken");
                        Thread.onSpinWait();
                    }
                }
                publisher.close();
            }

            ProcessBuilder builder = new ProcessBuilder("python3", "-m", "unittest", "-v", "test_ringbus")
                .directory(TESTS.toFile()).redirectErrorStream(true);
            builder.environment().put("PYTHONPATH", MODULE.toString());
            builder.environment().put("RINGBUS_UNIX", unix);
            builder.environment().put("RINGBUS_TCP", tcp);
            builder.environment().put("RINGBUS_RUN", run);
            builder.environment().put("RINGBUS_TCP_AUTH", authDaemon.listening("tcp://"));
            builder.environment().put("RINGBUS_TOKEN_FILE", tokenFile.toString());
            builder.environment().put("PYTHONDONTWRITEBYTECODE", "1"); // no __pycache__ in the source tree
            Process python = builder.start();
            python.getOutputStream().close();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "(unreadable: " + e + ")";
                }
            });
            int code = Cli.await(python, 120);
            String out = output.join();
            System.out.println(out);
            assertEquals(0, code, out);
            Matcher ran = Pattern.compile("Ran (\\d+) tests").matcher(out);
            assertTrue(ran.find() && Integer.parseInt(ran.group(1)) >= 23, "every test ran: " + out);
            assertFalse(out.contains("skipped"), "no test skipped: the daemon was given: " + out);
            assertTrue(out.contains("published " + PYTHON_COUNT + " messages for Java"), out);

            assertEquals(expectedFromPython(), readFromJava(tcp, "from-python-" + run));
        }
    }

    private static List<String> expectedFromPython() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < PYTHON_COUNT; i++) {
            expected.add((i % 11) + " python " + i);
        }
        return expected;
    }

    /** What a Java subscriber reads from the earliest message: "TYPE PAYLOAD" per message. */
    private static List<String> readFromJava(String uri, String topic) {
        List<String> got = new ArrayList<>();
        try (BusClient client = BusClients.open(new TransportContext().uri(uri));
             Subscriber subscriber = client.newSubscriber(topic, new TopicConfig(),
                 new SubscriberConfig().start(StartPosition.EARLIEST))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (got.size() < PYTHON_COUNT && System.nanoTime() < deadline) {
                subscriber.await((type, buffer, offset, length) -> {
                    byte[] bytes = buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
                    got.add(type + " " + new String(bytes, StandardCharsets.US_ASCII));
                }, 256, TimeUnit.MILLISECONDS.toNanos(100));
            }
        } catch (Exception e) {
            throw new AssertionError("reading " + topic + " from Java failed after " + got.size() + " messages", e);
        }
        return got;
    }

    @Test
    void theReadmeExampleRunsAsWritten() throws Exception {
        List<String> lines = Files.readAllLines(ROOT.resolve("bus-transport/README.md"));
        int start = lines.indexOf("<!-- python-example: PythonClientTest runs this block as it is (./bus and /tmp/rb "
            + "replaced) -->");
        assertTrue(start >= 0, "the README marks its Python example");
        assertEquals("```", lines.get(start + 1));
        StringBuilder block = new StringBuilder();
        for (int i = start + 2; !lines.get(i).equals("```"); i++) {
            block.append(lines.get(i)).append('\n');
        }
        String script = "set -e\ncd '" + ROOT + "'\nexport PYTHONDONTWRITEBYTECODE=1\n"
            + block.toString().replace("./bus ", "\"$BUS\" ").replace("/tmp/rb", directory.toString());
        Cli.Result result = Cli.bash(script, 120);
        assertEquals(0, result.exitCode(), result.out() + result.err());
        List<String> out = result.out().lines().toList();
        assertEquals("listening on unix:" + directory.resolve("bus.sock"), out.getFirst(), result.out());
        assertEquals(List.of("0 101.5", "0 101.7", "buy 100"), out.subList(out.size() - 3, out.size()), result.out());
    }
}
