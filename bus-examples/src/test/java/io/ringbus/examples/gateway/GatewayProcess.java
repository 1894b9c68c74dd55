package io.ringbus.examples.gateway;

import io.ringbus.examples.cli.BusCommand;
import io.ringbus.stress.common.JvmLauncher;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code bus gateway ARGS} in a child JVM with the one flag Aeron needs (as the {@code ./bus} launcher gives it),
 * its standard output and error collected line by line for the test to wait on.
 */
final class GatewayProcess implements AutoCloseable {
    static final String AERON_FLAG = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    private GatewayProcess(Process process, Path output) {
        this.process = process;
        // The output goes to a file, tailed here: a pipe read while the process exits loses its last lines (the
        // JDK drains and closes a child's pipe when it sees the exit, and a read in progress fails instead).
        Thread.ofPlatform().daemon().name("gateway-out-" + process.pid()).start(() -> {
            try (BufferedReader out = Files.newBufferedReader(output, StandardCharsets.UTF_8)) {
                StringBuilder partial = new StringBuilder();
                while (true) {
                    boolean exited = !process.isAlive(); // read before the last pass: nothing is written after it
                    int c;
                    while ((c = out.read()) >= 0) {
                        if (c != '\n') {
                            partial.append((char) c);
                            continue;
                        }
                        synchronized (lines) {
                            lines.add(partial.toString());
                            lines.notifyAll();
                        }
                        partial.setLength(0);
                    }
                    if (exited) {
                        break;
                    }
                    Thread.sleep(20);
                }
            } catch (IOException | InterruptedException ignored) {
                // the test is over
            } finally {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a temporary file left in /tmp
                }
            }
            synchronized (lines) {
                ended = true; // every line is in: a dead gateway's last words are read before anyone gives up
                lines.notifyAll();
            }
        });
    }

    /** Starts the gateway and waits for its "gateway ready" line. */
    static GatewayProcess start(String... args) throws Exception {
        return start(List.of(), args);
    }

    /** Starts the gateway in a JVM given {@code jvmOptions} too, and waits for its "gateway ready" line. */
    static GatewayProcess start(List<String> jvmOptions, String... args) throws Exception {
        return start(List.of(), jvmOptions, args);
    }

    /**
     * Starts the gateway as {@code prefix java ...} (a command that ends by exec'ing the rest, such as
     * {@code two-hosts.sh run a NAME}, so that the pid is the JVM's), and waits for its "gateway ready" line.
     */
    static GatewayProcess start(List<String> prefix, List<String> jvmOptions, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("gateway"));
        all.addAll(List.of(args));
        if (!all.contains("--stats-interval")) {
            all.addAll(List.of("--stats-interval", "0"));
        }
        // Standard error joins standard output: a failure's message is among the lines a failed wait shows.
        Path output = Files.createTempFile("ringbus-gateway-", ".out");
        List<String> options = new ArrayList<>(List.of(AERON_FLAG, "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC"));
        options.addAll(jvmOptions);
        List<String> command = new ArrayList<>(prefix);
        command.addAll(JvmLauncher.command(BusCommand.class, options, all));
        Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile()).start();
        process.getOutputStream().close();
        GatewayProcess gateway = new GatewayProcess(process, output);
        gateway.await(line -> line.startsWith("gateway ready"), 60);
        return gateway;
    }

    /** Waits for a line that passes {@code test}; fails after {@code seconds} or when the gateway exits. */
    String await(Predicate<String> test, int seconds) throws InterruptedException {
        return awaitFrom(0, test, seconds);
    }

    /** As {@link #await}, looking only at the lines from index {@code first} on (those printed after a moment). */
    String awaitFrom(int first, Predicate<String> test, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        synchronized (lines) {
            while (true) {
                for (String line : lines.subList(Math.min(first, lines.size()), lines.size())) {
                    if (test.test(line)) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || ended) {
                    throw new AssertionError("gateway " + process.pid() + (process.isAlive() ? "" : " exited "
                        + process.exitValue()) + " without the expected line; it printed " + lines);
                }
                lines.wait(Math.min(100, TimeUnit.NANOSECONDS.toMillis(left) + 1));
            }
        }
    }

    /** What it printed so far. */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** kill -9, as a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        awaitEnd();
    }

    /** SIGSTOP ({@code pause = true}) or SIGCONT: the whole gateway, driver included, freezes or goes on. */
    void signal(boolean pause) throws Exception {
        Process kill = new ProcessBuilder("kill", pause ? "-STOP" : "-CONT", Long.toString(process.pid())).start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill " + (pause ? "-STOP " : "-CONT ") + process.pid() + " failed");
        }
    }

    /** SIGTERM; returns the exit status. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("gateway " + process.pid() + " did not stop on SIGTERM within 30 s");
        }
        awaitEnd();
        return process.exitValue();
    }

    /** Waits until the reader took every line the exited gateway printed (its last words come after its exit). */
    private void awaitEnd() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (lines) {
            while (!ended && System.nanoTime() < deadline) {
                lines.wait(100);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
