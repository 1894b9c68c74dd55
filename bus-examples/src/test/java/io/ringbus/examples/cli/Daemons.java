package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@code bus daemon} in a child JVM, for the tests: started, awaited until it listens, stopped. */
final class Daemons {
    private Daemons() {
    }

    /** A running daemon: its process and the lines it printed while starting. */
    record Running(Process process, List<String> startupLines) implements AutoCloseable {
        /** The URI of the listener line that starts with {@code prefix} ("tcp://", "unix:"). */
        String listening(String prefix) {
            return startupLines.stream()
                .filter(line -> line.startsWith(DaemonCommand.LISTENING + prefix))
                .map(line -> line.substring(DaemonCommand.LISTENING.length()).strip())
                .findFirst().orElseThrow(() -> new AssertionError("no " + prefix + " listener in " + startupLines));
        }

        /** Sends SIGTERM and returns the exit status. */
        int terminate() throws InterruptedException {
            process.destroy();
            return Cli.await(process, 60);
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                Cli.crash(process);
            }
        }
    }

    /** Starts {@code bus daemon ARGS} in a new JVM and waits (up to 60 s) until it printed its pid line. */
    static Running start(String... args) throws IOException, InterruptedException {
        Process process = Cli.start(withDaemon(args));
        process.getOutputStream().close();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // The daemon ended.
            }
        });
        List<String> startup = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                startup.add(line);
                if (line.startsWith("daemon pid " + process.pid())) {
                    return new Running(process, startup);
                }
            } else if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                Cli.crash(process);
                throw new AssertionError("the daemon did not start; it printed " + startup);
            }
        }
    }

    private static String[] withDaemon(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "daemon";
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }

    /** Asserts that the daemon removed what it made: its pid file and its socket file. */
    static void assertCleanedUp(Path pidFile, Path socket) {
        assertTrue(Files.notExists(pidFile), "pid file removed: " + pidFile);
        assertTrue(Files.notExists(socket), "socket file removed: " + socket);
    }

    /** The pid in a pid file. */
    static long pidIn(Path pidFile) throws IOException {
        String text = Files.readString(pidFile);
        assertTrue(text.endsWith("\n"), "one line: '" + text + "'");
        assertEquals(text.strip(), text.substring(0, text.length() - 1), "one line: '" + text + "'");
        return Long.parseLong(text.strip());
    }
}
