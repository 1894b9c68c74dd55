package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A daemon killed while new clients are inside their handshake, on each path it serves: the daemon is
 * stopped ({@code kill -STOP}), a {@code bus pub t --via URI} and a durable {@code bus sub t --via URI
 * --name late} start and get as far as they can (a socket's backlog accepts them and takes their hello;
 * a FIFO or message queue takes their {@code CONNECT}), then the stopped daemon is killed with SIGKILL and
 * a new one started on the same address and bus directory. Then:
 * <ul>
 *   <li>both clients end by themselves (none waits for an answer that cannot come), each either having
 *       done its work through the new daemon (exit 0) or with exit 1 and one line
 *       {@code bus pub: ...}/{@code bus sub: ...} naming the address (no stack trace), which does not
 *       blame a slow or stopped bridge (a longer timeout would not help: the bridge it asked is dead);</li>
 *   <li>the new daemon serves: a line published through it reaches a subscriber through it, and the
 *       durable name {@code late} can be taken;</li>
 *   <li>nothing of the caught clients is left in a FIFO directory once they ended (their FIFO pairs),
 *       and the new daemon replaced the dead one's rendezvous FIFO and request queue.</li>
 * </ul>
 */
class DaemonHandshakeKillTest extends WithBusDirectory {
    private static final String TOPIC = "t";


    @ParameterizedTest(name = "--via {0}")
    @ValueSource(strings = {"unix", "tcp", "fifo", "mq"})
    void clientsCaughtInTheirHandshakeEndOrGoOnAndTheNextDaemonServes(String path) throws Exception {
        String listen = switch (path) {
            case "unix" -> "unix:" + work.resolve("bus.sock");
            case "tcp" -> "tcp://127.0.0.1:0";
            case "fifo" -> "fifo:" + work.resolve("fifo");
            case "mq" -> "mq:/" + work.getFileName();
            default -> throw new IllegalArgumentException(path);
        };
        // The topic exists before the clients come, so that the first daemon has nothing to create for them.
        Daemons.Running first = startDaemon(listen);
        String uri = first.listening(listen.substring(0, listen.indexOf(':') + 1));
        assertEquals(0, Cli.run("warm\n", "pub", TOPIC, "--via", uri).exitCode());

        signal("STOP", first.process().pid());
        Path pubErr = work.resolve("pub.err");
        Path subOut = work.resolve("sub.out");
        Path subErr = work.resolve("sub.err");
        Process pub = bash("printf 'h1\\nh2\\n' | exec \"$BUS\" pub " + TOPIC + " --via " + uri + " 2> " + pubErr);
        Process sub = bash("exec \"$BUS\" sub " + TOPIC + " --via " + uri + " --name late --from earliest --count 3"
            + " --timeout 60 > " + subOut + " 2> " + subErr);
        awaitInHandshake(pub, path, work.resolve("fifo"));
        awaitInHandshake(sub, path, work.resolve("fifo"));
        Thread.sleep(200);
        Cli.crash(first.process());
        try (Daemons.Running second = startDaemon(uri)) {
            List<String> breaches = new ArrayList<>();
            int pubStatus = awaitEnd(pub, "pub", breaches);
            int subStatus = awaitEnd(sub, "sub", breaches);
            String pubSaid = Files.readString(pubErr, StandardCharsets.UTF_8);
            String subSaid = Files.readString(subErr, StandardCharsets.UTF_8);
            String subPrinted = Files.readString(subOut, StandardCharsets.UTF_8);
            System.out.println("DaemonHandshakeKillTest[" + path + "]: pub exited " + pubStatus + " saying "
                + pubSaid.strip() + "; sub exited " + subStatus + " saying " + subSaid.strip() + ", printed "
                + subPrinted.lines().toList());
            checkEnd("pub", pubStatus, pubSaid, uri, breaches);
            checkEnd("sub", subStatus, subSaid, uri, breaches);
            if (subStatus == 0 && !subPrinted.startsWith("warm\n")) {
                breaches.add("sub exited 0 but printed " + subPrinted.lines().toList());
            }

            // The new daemon serves, the durable name included.
            Cli.Result published = Cli.run("after\n", "pub", TOPIC, "--via", uri);
            if (published.exitCode() != 0) {
                breaches.add("pub through the new daemon exited " + published.exitCode() + ": " + published.err());
            }
            Cli.Result read = Cli.run("", "sub", TOPIC, "--via", uri, "--name", "late2", "--from", "earliest",
                "--count", "2", "--timeout", "30");
            if (read.exitCode() != 0 || !read.out().startsWith("warm\n")) {
                breaches.add("sub through the new daemon exited " + read.exitCode() + ", printed "
                    + read.out().lines().toList() + ": " + read.err());
            }
            if (path.equals("fifo")) {
                try (Stream<Path> left = Files.list(work.resolve("fifo"))) {
                    List<String> clientFifos = left.map(p -> p.getFileName().toString())
                        .filter(name -> name.startsWith("c-")).toList();
                    if (!clientFifos.isEmpty()) {
                        breaches.add("client FIFOs left behind: " + clientFifos);
                    }
                }
            }
            if (!breaches.isEmpty()) {
                fail(breaches.size() + " breaches on " + path + ":\n  " + String.join("\n  ", breaches));
            }
            assertEquals(0, second.terminate(), "the new daemon ended by SIGTERM");
        }
    }

    private Daemons.Running startDaemon(String listen) throws Exception {
        Daemons.Running daemon = Daemons.start("--dir", directory.toString(), "--listen", listen,
            "--pid-file", work.resolve("daemon.pid").toString());
        children.add(daemon.process());
        return daemon;
    }

    private Process bash(String script) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("BUS", Cli.busScript().toString());
        return children.start(builder);
    }

    /**
     * Waits (up to 60 s: a JVM starts slowly beside a busy process) until the client has reached the
     * stopped daemon: it holds a socket ({@code unix}, {@code tcp}), its FIFO pair is in the directory
     * ({@code fifo}), or it holds its queues ({@code mq}).
     */
    private static void awaitInHandshake(Process client, String path, Path fifoDir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() - deadline < 0) {
            Optional<ProcessHandle> java = javaOf(client);
            if (java.isPresent() && holds(java.get().pid(), path, fifoDir)) {
                return;
            }
            if (!client.isAlive()) {
                fail("the client ended before it reached the stopped daemon (status " + client.exitValue() + ")");
            }
            Thread.sleep(20);
        }
        fail("the client never reached the stopped daemon on " + path);
    }

    /** The client's JVM: the process itself ({@code exec}) or a descendant. */
    private static Optional<ProcessHandle> javaOf(Process client) {
        if (client.info().command().orElse("").endsWith("java")) {
            return Optional.of(client.toHandle());
        }
        return client.descendants().filter(p -> p.info().command().orElse("").endsWith("java")).findFirst();
    }

    private static boolean holds(long pid, String path, Path fifoDir) throws IOException {
        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        List<String> links = new ArrayList<>();
        try (Stream<Path> entries = Files.list(fds)) {
            for (Path fd : entries.toList()) {
                try {
                    links.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException closedMeanwhile) {
                    // Gone: skip it.
                }
            }
        } catch (IOException notYet) {
            return false;
        }
        String mine = "c-" + pid + "-";
        return switch (path) {
            case "unix", "tcp" -> links.stream().anyMatch(link -> link.startsWith("socket:"));
            case "fifo", "mq" -> links.stream().anyMatch(link -> link.contains(mine) && link.endsWith(".up"));
            default -> throw new IllegalArgumentException(path);
        };
    }

    private static int awaitEnd(Process client, String name, List<String> breaches) throws InterruptedException {
        if (!client.waitFor(60, TimeUnit.SECONDS)) {
            breaches.add(name + " was still running 60 s after its daemon was killed and another started");
            client.descendants().forEach(ProcessHandle::destroyForcibly);
            client.destroyForcibly().waitFor();
        }
        return client.exitValue();
    }

    private static void checkEnd(String name, int status, String said, String uri, List<String> breaches) {
        if (status == 0) {
            return;
        }
        List<String> lines = said.lines().filter(line -> !line.startsWith("ringbus: ")).toList();
        if (status != 1 || lines.size() != 1 || !lines.getFirst().startsWith("bus " + name + ": ")
            || !lines.getFirst().contains(uri)) {
            breaches.add(name + " exited " + status + " saying " + said.lines().toList()
                + " (expected 0, or 1 with one line naming " + uri + ")");
        }
        if (said.contains("longer timeout") || said.contains("overloaded")) {
            breaches.add(name + " blamed a slow bridge, but the bridge it asked was dead when it gave up: " + said);
        }
        assertTrue(!said.contains("\tat "), name + " printed a stack trace: " + said);
    }

    /** Sends {@code kill -SIGNAL pid}. */
    private static void signal(String name, long pid) throws IOException, InterruptedException {
        int status = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor();
        if (status != 0) {
            fail("kill -" + name + " " + pid + " exited " + status);
        }
    }
}
