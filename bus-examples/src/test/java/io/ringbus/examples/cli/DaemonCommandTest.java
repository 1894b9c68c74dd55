package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringbus.core.os.Processes;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code bus daemon}: serving pub and sub over Unix and TCP, stopping cleanly, detaching, its pid file. */
class DaemonCommandTest {
    private Path root;
    private Path directory;
    private Path socket;
    private Path pidFile;

    @BeforeEach
    void createDirectory() throws Exception {
        directory = Cli.newBusDirectory();
        root = directory.getParent();
        socket = root.resolve("sock/bus.sock");
        pidFile = directory.resolve("daemon.pid");
    }

    @AfterEach
    void removeDirectory() throws Exception {
        if (Files.exists(pidFile)) {
            long pid = PidFile.read(pidFile);
            if (pid > 0 && pid != ProcessHandle.current().pid()) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // a detached daemon left over
            }
        }
        Cli.deleteTree(root);
    }

    private String dir() {
        return directory.toString();
    }

    /** Waits until the daemon (pid) has joined {@code topic} as a subscriber for a stream client. */
    private void awaitBridgeSubscriber(String topic, long daemonPid) throws InterruptedException {
        Cli.awaitTopic(directory, topic, t -> t.subscribers().stream().anyMatch(s -> s.pid() == daemonPid));
    }

    @Test
    void pubAndSubGoThroughTheDaemonOnUnixAndTcpAndSigtermStopsItCleanly() throws Exception {
        try (Daemons.Running daemon = Daemons.start("--dir", dir(), "--listen", "unix:" + socket,
            "--listen", "tcp://127.0.0.1:0")) {
            String unix = daemon.listening("unix:");
            String tcp = daemon.listening("tcp://");
            assertEquals("unix:" + socket, unix);
            assertTrue(tcp.matches("tcp://127\\.0\\.0\\.1:[1-9][0-9]*"), tcp);
            assertEquals(daemon.process().pid(), Daemons.pidIn(pidFile));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                socket.getParent())));

            // sub over unix (joined before anything is published), pub over tcp
            CompletableFuture<Cli.Result> sub = CompletableFuture.supplyAsync(
                () -> Cli.run("", "sub", "t", "--via", unix, "--count", "3", "--timeout", "60"));
            awaitBridgeSubscriber("t", daemon.process().pid());
            Cli.Result pub = Cli.run("a\nb\nc\n", "pub", "t", "--via", tcp);
            assertEquals(0, pub.exitCode(), pub.err());
            Cli.Result got = sub.get(60, TimeUnit.SECONDS);
            assertEquals(0, got.exitCode(), got.err());
            assertEquals("a\nb\nc\n", got.out());

            // and the other way round, with --from earliest: pub over unix first, then sub over tcp
            assertEquals(0, Cli.run("x\ny\n", "pub", "u", "--via", unix).exitCode());
            Cli.Result earliest = Cli.run("", "sub", "u", "--via", tcp, "--from", "earliest", "--count", "2");
            assertEquals("x\ny\n", earliest.out(), earliest.err());

            assertEquals(0, daemon.terminate(), "SIGTERM stops the daemon with status 0");
            Daemons.assertCleanedUp(pidFile, socket);
        }
    }

    /**
     * The acceptance scenario, each role its own JVM: a daemon serves a subscriber on a Unix socket
     * while a publisher writes through shared memory.
     */
    @Test
    void aSubscriberOnAUnixSocketGetsWhatAPublisherWritesThroughSharedMemory() throws Exception {
        try (Daemons.Running daemon = Daemons.start("--dir", dir(), "--listen", "unix:" + socket)) {
            Process sub = Cli.start("sub", "prices", "--via", "unix:" + socket, "--count", "3");
            sub.getOutputStream().close();
            CompletableFuture<byte[]> printed = CompletableFuture.supplyAsync(() -> {
                try {
                    return sub.getInputStream().readAllBytes();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            awaitBridgeSubscriber("prices", daemon.process().pid());
            Process pub = Cli.start("pub", "prices", "--dir", dir());
            try (OutputStream stdin = pub.getOutputStream()) {
                stdin.write("101.5\n101.7\n99.9\n".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals(0, Cli.await(pub, 60), "pub exit code");
            assertEquals(0, Cli.await(sub, 60), "sub exit code");
            assertEquals("101.5\n101.7\n99.9\n", new String(printed.get(10, TimeUnit.SECONDS),
                StandardCharsets.UTF_8));
            assertEquals(0, daemon.terminate());
            Daemons.assertCleanedUp(pidFile, socket);
        }
    }

    @Test
    void detachLeavesADaemonInItsOwnSessionThatSigtermStops() throws Exception {
        Process launcher = Cli.start("daemon", "--dir", dir(), "--listen", "unix:" + socket, "--detach");
        launcher.getOutputStream().close();
        String out = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, Cli.await(launcher, 90), out);
        long pid = Daemons.pidIn(pidFile);
        List<String> lines = out.lines().toList();
        assertEquals("listening on unix:" + socket, lines.getFirst(), out);
        assertEquals("started daemon pid " + pid + "; stop it with: kill " + pid, lines.getLast(), out);
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        assertTrue(handle.isPresent() && handle.get().isAlive(), "the daemon runs after the launcher exited");
        assertTrue(Files.exists(socket), "listening when the launcher returns");

        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        assertEquals(Long.toString(pid), fields[3], "session id (setsid): " + stat); // field 6
        assertTrue(Files.readString(Path.of("/proc", Long.toString(pid), "status")).contains("Umask:\t0077"));
        assertEquals(Path.of("/"), Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd")));
        assertEquals(Path.of("/dev/null"), Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", "0")));
        Path log = directory.resolve("daemon.log");
        assertEquals(log, Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", "1")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));

        // it serves
        assertEquals(0, Cli.run("hi\n", "pub", "d", "--via", "unix:" + socket).exitCode());
        assertEquals("hi\n", Cli.run("", "sub", "d", "--via", "unix:" + socket, "--from", "earliest",
            "--count", "1").out());

        assertTrue(Processes.signal(pid, 15));
        assertTrue(handle.get().onExit().get(60, TimeUnit.SECONDS) != null);
        Daemons.assertCleanedUp(pidFile, socket);
        assertTrue(Files.readString(log).contains("stopping on SIGTERM"), Files.readString(log));
    }

    @Test
    void aStalePidFileIsReplacedAndALiveDaemonsIsRefused() throws Exception {
        Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
        // Stale: no daemon holds its lock, although the pid in it (ours) is alive.
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
        try (Daemons.Running daemon = Daemons.start("--dir", dir(), "--listen", "unix:" + socket)) {
            long pid = daemon.process().pid();
            assertEquals(pid, Daemons.pidIn(pidFile), "the stale pid file was replaced");

            Path other = root.resolve("sock/other.sock");
            String refused = "bus daemon: a daemon (pid " + pid + ") is running with pid file " + pidFile;
            Cli.Result second = Cli.run("", "daemon", "--dir", dir(), "--listen", "unix:" + other);
            assertEquals(1, second.exitCode());
            assertEquals(1, second.errLines().size(), second.err());
            assertTrue(second.err().startsWith(refused), second.err());
            Cli.Result detached = Cli.run("", "daemon", "--dir", dir(), "--listen", "unix:" + other, "--detach");
            assertEquals(1, detached.exitCode());
            assertTrue(detached.err().startsWith(refused), detached.err());
            assertFalse(Files.exists(other), "the refused daemon did not listen");
            assertEquals(pid, Daemons.pidIn(pidFile), "the live daemon's pid file is untouched");

            assertEquals(0, daemon.terminate());
            Daemons.assertCleanedUp(pidFile, socket);
        }
    }

    @Test
    void aDetachedDaemonThatFailsHasItsLauncherPrintItsErrorAndExitNonZero() throws Exception {
        Files.createDirectories(socket.getParent(), PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
        Files.writeString(socket, "a regular file where the socket should go");
        Cli.Result launcher = Cli.run("", "daemon", "--dir", dir(), "--listen", "unix:" + socket, "--detach");
        assertEquals(1, launcher.exitCode(), launcher.err());
        assertEquals("", launcher.out());
        String error = "bus daemon: Cannot listen on unix:" + socket + ": " + socket + " exists and is not a socket";
        assertTrue(launcher.err().startsWith(error), launcher.err());
        assertEquals(1, launcher.errLines().size(), launcher.err());
        assertTrue(Files.readString(directory.resolve("daemon.log")).contains(error));
        assertFalse(Files.exists(pidFile));
    }

    @Test
    void aDetachedDaemonOnAFullFileSystemNamesTheLogAndTheCauseAndLeavesNothing() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
        Path mount = Files.createDirectory(root.resolve("fs"));
        String failure = command("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mount.toString());
        assumeTrue(failure == null, "cannot mount a 1 MiB tmpfs: " + failure);
        try {
            fill(mount.resolve("filler"));
            Path bus = mount.resolve("bus");
            Path log = bus.resolve("daemon.log");
            Cli.Result launcher = Cli.run("", "daemon", "--dir", bus.toString(), "--listen",
                "unix:" + mount.resolve("sock/bus.sock"), "--detach");
            assertEquals(1, launcher.exitCode(), launcher.err());
            assertEquals("", launcher.out());
            assertEquals(1, launcher.errLines().size(), launcher.err());
            assertTrue(launcher.err().startsWith("bus daemon: cannot write the daemon's log " + log
                + ": No space left on device"), launcher.err());
            assertTrue(launcher.err().contains("--log"), launcher.err());
            assertEquals(List.of("filler"), entries(mount), "nothing left on the full file system");

            // The log elsewhere: the daemon itself fails (its pid file), and the launcher prints why.
            Path elsewhere = root.resolve("elsewhere.log");
            Cli.Result child = Cli.run("", "daemon", "--dir", bus.toString(), "--listen",
                "unix:" + root.resolve("sock/bus.sock"), "--detach", "--log", elsewhere.toString());
            assertEquals(1, child.exitCode(), child.err());
            assertEquals(1, child.errLines().size(), child.err());
            assertTrue(child.err().startsWith("bus daemon: cannot write pid file " + bus.resolve("daemon.pid")),
                child.err());
            assertTrue(child.err().contains("No space left on device"), child.err());
            assertTrue(Files.readString(elsewhere).contains("No space left on device"), Files.readString(elsewhere));
        } finally {
            String stuck = command("umount", mount.toString());
            if (stuck != null) {
                command("umount", "-l", mount.toString());
            }
        }
    }

    /** Runs a command; null when it succeeded, else what it printed. */
    private static String command(String... words) throws Exception {
        Process process = new ProcessBuilder(words).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return Cli.await(process, 30) == 0 ? null : output.isEmpty() ? "exit status " + process.exitValue() : output;
    }

    /** Writes zeros into {@code file} until the file system is full. */
    private static void fill(Path file) throws Exception {
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] block = new byte[4096];
            while (true) {
                out.write(block);
            }
        } catch (java.io.IOException full) {
            assertTrue(String.valueOf(full.getMessage()).contains("No space left on device"), full.toString());
        }
    }

    private static List<String> entries(Path directory) throws Exception {
        try (var files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    /** A daemon with a token serves TCP clients that hold it, and refuses the others. */
    @Test
    void aTokenFileGuardsTcp() throws Exception {
        Path token = root.resolve("bus.token");
        Files.writeString(token, "a token of thirty-two characters\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        Cli.Result loose = Cli.run("", "daemon", "--dir", dir(), "--listen", "tcp://127.0.0.1:0",
            "--auth-token-file", token.toString());
        assertEquals(1, loose.exitCode(), loose.err());
        assertTrue(loose.err().contains("mode 0644") && loose.err().contains("chmod 600 " + token), loose.err());
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        try (Daemons.Running daemon = Daemons.start("--dir", dir(), "--listen", "tcp://127.0.0.1:0",
            "--auth-token-file", token.toString())) {
            String tcp = daemon.listening("tcp://");
            Cli.Result stranger = Cli.run("no\n", "pub", "t", "--via", tcp);
            assertEquals(1, stranger.exitCode(), stranger.err());
            assertTrue(stranger.err().contains("requires authentication") && stranger.err().contains(
                "--auth-token-file"), stranger.err());
            Cli.Result pub = Cli.run("yes\n", "pub", "t", "--via", tcp, "--auth-token-file", token.toString());
            assertEquals(0, pub.exitCode(), pub.err());
            Cli.Result sub = Cli.run("", "sub", "t", "--via", tcp, "--auth-token-file", token.toString(), "--from",
                "earliest", "--count", "1");
            assertEquals("yes\n", sub.out(), sub.err());
            assertEquals(0, daemon.terminate());
        }
    }

    /** --allow-remote needs a token or --insecure, said in so many words. */
    @Test
    void allowRemoteWithoutAuthenticationIsRefusedUnlessInsecure() throws Exception {
        Cli.Result open = Cli.run("", "daemon", "--dir", dir(), "--listen", "tcp://0.0.0.0:0", "--allow-remote");
        assertEquals(2, open.exitCode(), open.err());
        assertTrue(open.err().startsWith("bus daemon: --allow-remote without --auth-token-file")
            && open.err().contains("add --auth-token-file FILE, or --insecure"), open.err());
        try (Daemons.Running daemon = Daemons.start("--dir", dir(), "--listen", "tcp://0.0.0.0:0", "--allow-remote",
            "--insecure")) {
            assertTrue(daemon.listening("tcp://").startsWith("tcp://0.0.0.0:"), daemon.listening("tcp://"));
            assertEquals(0, daemon.terminate());
        }
        Path token = root.resolve("bus.token");
        Files.writeString(token, "a token of thirty-two characters\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        try (Daemons.Running daemon = Daemons.start("--dir", dir(), "--listen", "tcp://0.0.0.0:0", "--allow-remote",
            "--auth-token-file", token.toString())) {
            assertTrue(daemon.listening("tcp://").startsWith("tcp://0.0.0.0:"), daemon.listening("tcp://"));
            assertEquals(0, daemon.terminate());
        }
    }

    /** TLS from the command line: a client with the daemon's certificate is served; a plaintext one is not. */
    @Test
    void tlsKeyStoreEncryptsTcp() throws Exception {
        Path password = root.resolve("bus.pass");
        Files.writeString(password, "changeit\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        Path keytool = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("keytool");
        Path store = root.resolve("bus.p12");
        Path cert = root.resolve("bus.pem");
        Cli.Result made = Cli.bash(String.join(" ", keytool.toString(), "-genkeypair -alias bus -keyalg EC",
            "-groupname secp256r1 -dname CN=localhost -ext SAN=ip:127.0.0.1 -validity 2 -storetype PKCS12",
            "-keystore", store.toString(), "-storepass:file", password.toString(), "&&", keytool.toString(),
            "-exportcert -rfc -alias bus -keystore", store.toString(), "-storepass:file", password.toString(),
            "-file", cert.toString()), 120);
        assertEquals(0, made.exitCode(), made.out() + made.err());
        Cli.Result half = Cli.run("", "daemon", "--dir", dir(), "--listen", "tcp://127.0.0.1:0", "--tls-keystore",
            store.toString());
        assertEquals(2, half.exitCode(), half.err());
        assertTrue(half.err().contains("give both"), half.err());
        try (Daemons.Running daemon = Daemons.start("--dir", dir(), "--listen", "tcp://127.0.0.1:0",
            "--tls-keystore", store.toString(), "--tls-keystore-password-file", password.toString())) {
            String tcp = daemon.listening("tcp://");
            Cli.Result plain = Cli.run("no\n", "pub", "t", "--via", tcp);
            assertEquals(1, plain.exitCode(), plain.err());
            Cli.Result pub = Cli.run("sealed\n", "pub", "t", "--via", tcp, "--tls-cert", cert.toString());
            assertEquals(0, pub.exitCode(), pub.err());
            Cli.Result sub = Cli.run("", "sub", "t", "--via", tcp, "--tls-cert", cert.toString(), "--from",
                "earliest", "--count", "1");
            assertEquals("sealed\n", sub.out(), sub.err());
            assertEquals(0, daemon.terminate());
        }
    }

    /** The allow lists reach the bridge: a topic outside them is refused with the option named. */
    @Test
    void allowListsRefuseOtherTopics() throws Exception {
        Cli.Result bad = Cli.run("", "daemon", "--dir", dir(), "--listen", "unix:" + socket, "--allow-publish", "a/b");
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().startsWith("bus daemon: --allow-publish 'a/b' must be a topic name"), bad.err());
        try (Daemons.Running daemon = Daemons.start("--dir", dir(), "--listen", "unix:" + socket,
            "--allow-publish", "prices.*", "--allow-subscribe", "prices.*")) {
            String unix = daemon.listening("unix:");
            assertEquals(0, Cli.run("1\n", "pub", "prices.eu", "--via", unix).exitCode());
            Cli.Result pub = Cli.run("2\n", "pub", "secrets", "--via", unix);
            assertEquals(1, pub.exitCode(), pub.err());
            assertTrue(pub.err().contains("topic 'secrets' is not in this bridge's publish allow list"
                + " (--allow-publish prices.*)"), pub.err());
            Cli.Result sub = Cli.run("", "sub", "secrets", "--via", unix, "--count", "1");
            assertEquals(1, sub.exitCode(), sub.err());
            assertTrue(sub.err().contains("(--allow-subscribe prices.*)"), sub.err());
            assertEquals(0, daemon.terminate());
        }
    }

    @Test
    void badListenUrisAreUsageErrors() {
        Cli.Result shm = Cli.run("", "daemon", "--dir", dir(), "--listen", "shm:");
        assertEquals(2, shm.exitCode());
        assertTrue(shm.err().startsWith("bus daemon: --listen: A bridge listens on unix:, tcp:// or fifo:, not shm:"),
            shm.err());
        Cli.Result missing = Cli.run("", "daemon", "--dir", dir());
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().startsWith("bus daemon: Missing required option: '--listen=URI'"), missing.err());
        Cli.Result remote = Cli.run("", "daemon", "--dir", dir(), "--listen", "tcp://0.0.0.0:0");
        assertEquals(1, remote.exitCode());
        assertTrue(remote.err().contains("not a loopback address") && remote.err().contains("--allow-remote"),
            remote.err());
    }

    /** The thread options reach the bridge, also through --detach: three loops, as jcmd lists the threads. */
    @Test
    void eventLoopOptionsReachADetachedDaemonAndBadOnesAreUsageErrors() throws Exception {
        Cli.Result tooMany = Cli.run("", "daemon", "--dir", dir(), "--listen", "unix:" + socket, "--event-loops", "65");
        assertEquals(2, tooMany.exitCode(), tooMany.err());
        assertTrue(tooMany.err().startsWith("bus daemon: --event-loops must be 0 to 64, not 65"), tooMany.err());
        Process launcher = Cli.start("daemon", "--dir", dir(), "--listen", "unix:" + socket, "--detach",
            "--event-loops", "3", "--dedicated-threads", "0");
        launcher.getOutputStream().close();
        String out = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, Cli.await(launcher, 90), out);
        long pid = Daemons.pidIn(pidFile);
        try {
            Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
            Process threads = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print")
                .redirectErrorStream(true).start();
            String dump = new String(threads.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, Cli.await(threads, 60), dump);
            assertEquals(3, dump.lines().filter(line -> line.startsWith("\"ringbus-bridge-loop-")).count(), dump);
            // and every connection goes to a loop (no dedicated thread): it still serves
            assertEquals(0, Cli.run("hi\n", "pub", "loops", "--via", "unix:" + socket).exitCode());
            assertEquals("hi\n", Cli.run("", "sub", "loops", "--via", "unix:" + socket, "--from", "earliest",
                "--count", "1").out());
        } finally {
            assertTrue(Processes.signal(pid, 15));
            ProcessHandle.of(pid).ifPresent(handle -> handle.onExit().join());
        }
    }
}
