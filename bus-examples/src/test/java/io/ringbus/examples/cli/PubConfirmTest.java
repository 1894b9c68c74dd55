package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exit 0 from {@code bus pub t --via URI} means that every line it read is in the ring. The daemon is
 * stopped (SIGSTOP) after it published the first lines; {@code pub} then writes the rest into the stream
 * (the socket's, FIFO's or queue's buffer takes them) and reaches the end of its input. Before the
 * END/PUBLISHED exchange it exited 0 there, with the lines unread by anyone; the daemon is then killed
 * (SIGKILL), and they were lost behind a success. Now {@code pub} waits for the bridge's PUBLISHED, and
 * when the bridge dies instead it exits 1 saying how many lines it cannot vouch for. And a run whose
 * daemon lives exits 0 with every line in the ring: the daemon is killed as soon as pub exits, and the
 * lines are read back from the earliest (before the fix the last lines were often still in the stream).
 */
class PubConfirmTest extends WithBusDirectory {
    private static final String TOPIC = "t";
    private static final int LATE_LINES = 1_000;
    private static final int ALL_LINES = 100_000;


    private String listen(String path) {
        return switch (path) {
            case "unix" -> "unix:" + work.resolve("bus.sock");
            case "tcp" -> "tcp://127.0.0.1:0";
            case "fifo" -> "fifo:" + work.resolve("fifo");
            case "mq" -> "mq:/" + work.getFileName();
            default -> throw new IllegalArgumentException(path);
        };
    }

    private Process startPub(String uri, Path errors, String... options) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c",
            "exec \"$BUS\" pub " + TOPIC + " --via " + uri + " " + String.join(" ", options) + " 2> " + errors)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("BUS", Cli.busScript().toString());
        return children.start(builder);
    }

    @ParameterizedTest(name = "--via {0}")
    @ValueSource(strings = {"unix", "tcp", "fifo", "mq"})
    void linesInTheStreamOfAKilledDaemonMakePubExitOne(String path) throws Exception {
        String listen = listen(path);
        Daemons.Running daemon = Daemons.start("--dir", directory.toString(), "--listen", listen,
            "--pid-file", work.resolve("daemon.pid").toString());
        children.add(daemon.process());
        String uri = daemon.listening(listen.substring(0, listen.indexOf(':') + 1));
        Path errors = work.resolve("pub.err");
        Process pub = startPub(uri, errors);
        try (OutputStream input = pub.getOutputStream()) {
            input.write("a1\na2\na3\n".getBytes(StandardCharsets.UTF_8));
            input.flush();
            Cli.awaitTopic(directory, TOPIC, t -> t.tail() > 0); // connected, and the daemon publishes
            signal("STOP", daemon.process().pid());
            String late = IntStream.rangeClosed(1, LATE_LINES).mapToObj(i -> "b" + i + "\n")
                .collect(Collectors.joining());
            input.write(late.getBytes(StandardCharsets.UTF_8));
        }
        // pub has read its whole input, and the stream's buffer holds the b lines (about 6 KB), unread by
        // the stopped daemon. Before the fix pub exited 0 here; give it the time it took (well under 3 s).
        boolean exitedWhileStopped = pub.waitFor(3, java.util.concurrent.TimeUnit.SECONDS);
        signal("KILL", daemon.process().pid());
        daemon.process().waitFor();
        int status = Cli.await(pub, 60);
        String said = Files.readString(errors, StandardCharsets.UTF_8);
        removeKilledQueue(path, uri);
        Cli.Result ring = Cli.run("", "sub", TOPIC, "--dir", directory.toString(), "--from", "earliest",
            "--timeout", "1");
        List<String> published = ring.out().lines().toList();
        System.out.println("PubConfirmTest[" + path + "]: pub exited " + status + (exitedWhileStopped
            ? " while the daemon was stopped" : " after the kill") + ", the ring holds " + published.size()
            + " lines; pub said: " + said.strip());
        assertTrue(published.size() < 3 + LATE_LINES, "the stopped daemon published none of the b lines: "
            + published.size());
        assertEquals(1, status, "the b lines never reached the ring, yet pub exited " + status + " saying: " + said);
        assertTrue(said.contains("bus pub: " + (3 + LATE_LINES) + " lines read"), "pub says how many it read: "
            + said);
        assertTrue(said.contains("cannot vouch for " + (3 + LATE_LINES)), "pub says how many it cannot vouch for: "
            + said);
        assertTrue(said.contains("publish them again"), "pub says what to do: " + said);
    }

    @ParameterizedTest(name = "--via {0}")
    @ValueSource(strings = {"unix", "tcp", "fifo", "mq"})
    void aConfirmedRunExitsZeroWithEveryLineInTheRing(String path) throws Exception {
        String listen = listen(path);
        try (Daemons.Running daemon = Daemons.start("--dir", directory.toString(), "--listen", listen,
            "--pid-file", work.resolve("daemon.pid").toString())) {
            children.add(daemon.process());
            String uri = daemon.listening(listen.substring(0, listen.indexOf(':') + 1));
            Path errors = work.resolve("pub.err");
            Process pub = startPub(uri, errors, "--capacity", "8m");
            try (OutputStream input = pub.getOutputStream()) {
                String lines = IntStream.rangeClosed(1, ALL_LINES).mapToObj(i -> i + "\n")
                    .collect(Collectors.joining());
                input.write(lines.getBytes(StandardCharsets.UTF_8));
            }
            int status = Cli.await(pub, 120);
            String said = Files.readString(errors, StandardCharsets.UTF_8);
            assertEquals(0, status, "pub exited " + status + " saying: " + said);
            // Killed at once (SIGKILL), so that none can come later; then read on shared memory, from the
            // earliest: exit 0 said that every line is in the ring already (--timeout only bounds a slow reader).
            daemon.close();
            removeKilledQueue(path, uri);
            Cli.Result ring = Cli.run("", "sub", TOPIC, "--dir", directory.toString(), "--from", "earliest",
                "--count", String.valueOf(ALL_LINES), "--timeout", "60");
            List<String> published = ring.out().lines().toList();
            assertEquals(ALL_LINES, published.size(), "every line is in the ring when pub exits 0");
            for (int i = 0; i < ALL_LINES; i++) {
                if (!published.get(i).equals(String.valueOf(i + 1))) {
                    throw new AssertionError("line " + (i + 1) + " is '" + published.get(i) + "'");
                }
            }
        }
    }

    /** The killed daemon's request queue and lock file outlive it; a successor replaces and removes them. */
    private void removeKilledQueue(String path, String uri) throws Exception {
        if (path.equals("mq")) {
            try (Daemons.Running successor = Daemons.start("--dir", directory.toString(), "--listen", uri,
                "--pid-file", work.resolve("daemon.pid").toString())) {
                children.add(successor.process());
                assertEquals(0, successor.terminate(), "the successor ended by SIGTERM");
            }
        }
    }

    private static void signal(String name, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name + " " + pid);
        if (name.equals("STOP")) {
            Path stat = Path.of("/proc/" + pid + "/stat");
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            String state = "";
            while (System.nanoTime() < deadline) { // the third field: T once every thread has stopped
                String text = Files.readString(stat);
                state = text.substring(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3);
                if (state.equals("T")) {
                    return;
                }
                Thread.sleep(10);
            }
            throw new AssertionError("the daemon " + pid + " did not stop (state " + state + ")");
        }
    }
}
