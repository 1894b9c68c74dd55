package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A {@code bus pub t --via URI} whose daemon is killed (SIGKILL) between two parts of its input, and not
 * restarted: the lines of the second part cannot have been published (no process serves the address), so
 * at the end of its input {@code pub} must end and exit 1 saying that the bridge went away, never exit 0
 * (which says every line was published). On a Unix socket or a FIFO the first write after the daemon's
 * death fails ({@code EPIPE}); a TCP connection whose peer died accepts a write, and so does a message
 * queue with room, so there {@code pub}, which batches its lines, must look for the end of stream itself
 * (it did not: it exited 0, see the FAQ). Run on those two paths; on the others {@link DaemonKillScenarioTest}
 * sees the same.
 */
class PubAfterDaemonDeathTest extends WithBusDirectory {
    private static final String TOPIC = "t";


    @ParameterizedTest(name = "--via {0}")
    @ValueSource(strings = {"tcp", "mq"})
    void linesWrittenAfterTheDaemonDiedMakePubExitOne(String path) throws Exception {
        String listen = switch (path) {
            case "unix" -> "unix:" + work.resolve("bus.sock");
            case "tcp" -> "tcp://127.0.0.1:0";
            case "fifo" -> "fifo:" + work.resolve("fifo");
            case "mq" -> "mq:/" + work.getFileName();
            default -> throw new IllegalArgumentException(path);
        };
        Daemons.Running daemon = Daemons.start("--dir", directory.toString(), "--listen", listen,
            "--pid-file", work.resolve("daemon.pid").toString());
        children.add(daemon.process());
        String uri = daemon.listening(listen.substring(0, listen.indexOf(':') + 1));
        Path errors = work.resolve("pub.err");
        ProcessBuilder builder = new ProcessBuilder("bash", "-c",
            "exec \"$BUS\" pub " + TOPIC + " --via " + uri + " 2> " + errors)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("BUS", Cli.busScript().toString());
        Process pub = children.start(builder);
        try (OutputStream input = pub.getOutputStream()) {
            input.write("a1\na2\na3\n".getBytes(StandardCharsets.UTF_8));
            input.flush();
            Cli.awaitTopic(directory, TOPIC, t -> t.tail() > 0);
            Thread.sleep(300); // a3 too, most likely; it does not matter
            daemon.close(); // SIGKILL
            Thread.sleep(1_000); // the peer's end of stream arrives (FIN, the pidfd)
            input.write("b1\nb2\nb3\n".getBytes(StandardCharsets.UTF_8));
        }
        int status = Cli.await(pub, 60);
        String said = Files.readString(errors, StandardCharsets.UTF_8);
        if (path.equals("mq")) {
            // The killed daemon's request queue and lock file outlive it (they are the user's, not this
            // test's directory's): a daemon on the same name replaces them, and its SIGTERM removes them.
            try (Daemons.Running successor = Daemons.start("--dir", directory.toString(), "--listen", uri,
                "--pid-file", work.resolve("daemon.pid").toString())) {
                children.add(successor.process());
                assertEquals(0, successor.terminate(), "the successor ended by SIGTERM");
            }
        }
        Cli.Result ring = Cli.run("", "sub", TOPIC, "--dir", directory.toString(), "--from", "earliest",
            "--timeout", "1");
        List<String> published = ring.out().lines().toList();
        System.out.println("PubAfterDaemonDeathTest[" + path + "]: pub exited " + status + ", the ring holds "
            + published + "; pub said: " + said.strip());
        assertTrue(published.stream().noneMatch(line -> line.startsWith("b")), "no daemon published b: "
            + published);
        assertEquals(1, status, "pub's lines b1-b3 reached no ring, yet it exited " + status + " saying: " + said);
        assertTrue(said.contains("bus pub: ") && said.contains("went away"), "pub says the bridge went away: "
            + said);
    }
}
