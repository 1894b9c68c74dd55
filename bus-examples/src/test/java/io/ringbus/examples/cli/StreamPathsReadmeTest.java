package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The examples of bus-transport's README (the daemon walkthrough, the {@code socat} session of its
 * frame format, and a child of {@code ./bus run} speaking frames over pipes with {@code printf}), run as
 * they are written: {@code ./bus} becomes this build's {@code bus}, {@code /tmp/rb}
 * a fresh directory, port 7400 a free one.
 */
class StreamPathsReadmeTest {
    /** The README that holds the examples: bus-transport's, beside this module. */
    private static final Path README = Path.of(System.getProperty("basedir", "."), "..", "bus-transport", "README.md");

    private Path root;
    private Path directory;

    @BeforeEach
    void createDirectory() throws Exception {
        directory = Cli.newBusDirectory();
        root = directory.getParent();
    }

    @AfterEach
    void removeDirectory() throws Exception {
        long pid = PidFile.read(directory.resolve("daemon.pid"));
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        Cli.deleteTree(root);
    }

    /** The code block after the comment {@code <!-- MARKER: ... -->}; {@code ./bus} and {@code /tmp/rb} replaced. */
    private String example(String marker) throws IOException {
        List<String> lines = Files.readAllLines(README);
        int start = 0;
        while (start < lines.size() && !lines.get(start).startsWith("<!-- " + marker + ":")) {
            start++;
        }
        assertTrue(start < lines.size(), "no <!-- " + marker + ": --> in " + README.normalize());
        assertEquals("```", lines.get(start + 1), "a code block follows the marker");
        StringBuilder script = new StringBuilder();
        for (int i = start + 2; !lines.get(i).equals("```"); i++) {
            script.append(lines.get(i)).append('\n');
        }
        return script.toString().replace("./bus ", "\"$BUS\" ").replace("/tmp/rb", directory.toString());
    }

    @Test
    void theAcceptanceExampleRunsAsWritten() throws Exception {
        Cli.Result result = Cli.bash("set -e\n" + example("acceptance-example"), 180);
        assertEquals(0, result.exitCode(), result.out() + result.err());
        List<String> out = result.out().lines().toList();
        assertEquals("listening on unix:" + directory.resolve("bus.sock"), out.getFirst(), result.out());
        assertEquals(List.of("101.5", "101.7", "99.9"), out.subList(out.size() - 3, out.size()), result.out());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((Files.exists(directory.resolve("daemon.pid")) || Files.exists(directory.resolve("bus.sock")))
            && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Daemons.assertCleanedUp(directory.resolve("daemon.pid"), directory.resolve("bus.sock"));
    }

    @Test
    void theSocatExampleTalksTheFrameFormat() throws Exception {
        assumeTrue(Cli.bash("command -v socat", 30).exitCode() == 0, "socat is not installed");
        try (Daemons.Running daemon = Daemons.start("--dir", directory.toString(),
            "--listen", "unix:" + directory.resolve("bus.sock"), "--listen", "tcp://127.0.0.1:0")) {
            String port = daemon.listening("tcp://").replaceFirst(".*:", "");
            Cli.Result result = Cli.bash("set -e\n" + example("socat-example").replace("7400", port), 60);
            assertEquals(0, result.exitCode(), result.out() + result.err());
            String compact = result.out().replaceAll("\\s+", "");
            assertEquals(2, compact.split("okmaxMessageLength=131072", -1).length - 1, "two WELCOMEs: " + compact);
            assertTrue(compact.contains("hello005\\0\\0\\0\\0\\0\\0\\0world"), "the subscriber's frames: " + compact);
            Cli.Result sub = Cli.run("", "sub", "t", "--dir", directory.toString(), "--from", "earliest", "--count",
                "2");
            assertEquals("hello\nworld\n", sub.out(), sub.err());
            assertEquals(0, daemon.terminate());
        }
    }

    /** The Python client of Frames answers a daemon's challenge from the README's description alone. */
    @Test
    void theAuthExampleAnswersTheChallenge() throws Exception {
        assumeTrue(Cli.bash("command -v python3", 30).exitCode() == 0, "python3 is not installed");
        Files.createDirectories(directory, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        Path token = directory.resolve("bus.token");
        Files.writeString(token, "a token of thirty-two characters\n");
        Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        try (Daemons.Running daemon = Daemons.start("--dir", directory.toString(), "--listen", "tcp://127.0.0.1:0",
            "--auth-token-file", token.toString())) {
            String port = daemon.listening("tcp://").replaceFirst(".*:", "");
            Cli.Result result = Cli.bash("set -e\n" + example("auth-example").replace("7400", port), 60);
            assertEquals(0, result.exitCode(), result.out() + result.err());
            assertTrue(result.out().startsWith("-11 ok maxMessageLength="), result.out());
            Cli.Result sub = Cli.run("", "sub", "t", "--dir", directory.toString(), "--from", "earliest", "--count",
                "1");
            assertEquals("signed\n", sub.out(), sub.err());
            assertEquals(0, daemon.terminate());
        }
    }

    @Test
    void thePipeExampleSpeaksTheDocumentedProtocol() throws Exception {
        Cli.Result result = Cli.bash("set -e -o pipefail\n" + example("pipe-example"), 120);
        assertEquals(0, result.exitCode(), result.out() + result.err());
        assertTrue(result.err().replaceAll("\\s+", "").contains("okmaxMessageLength=131072"),
            "the child read its WELCOME on standard input: " + result.err());
        List<String> out = result.out().lines().toList();
        assertEquals(List.of("hello", "world"), out.subList(0, 2), result.out());
        assertEquals("005 \\0 \\0 \\0 \\0 \\0 \\0 \\0 h e l l o 005 \\0 \\0 \\0 \\0 \\0 \\0 \\0 w o r l d",
            String.join(" ", out.subList(2, out.size())).trim().replaceAll("\\s+", " "), "the frames: " + result.out());
    }
}
