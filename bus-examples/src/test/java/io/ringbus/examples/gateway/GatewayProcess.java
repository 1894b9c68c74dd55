package io.ringbus.examples.gateway;

import io.ringbus.examples.cli.BusCommand;
import io.ringbus.stress.common.JvmLauncher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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

    private GatewayProcess(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().name("gateway-out-" + process.pid()).start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // killed
            }
            synchronized (lines) {
                ended = true; // every line is in: a dead gateway's last words are read before anyone gives up
                lines.notifyAll();
            }
        });
    }

    /** Starts the gateway and waits for its "gateway ready" line. */
    static GatewayProcess start(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("gateway"));
        all.addAll(List.of(args));
        if (!all.contains("--stats-interval")) {
            all.addAll(List.of("--stats-interval", "0"));
        }
        // Standard error joins standard output: a failure's message is among the lines a failed wait shows.
        Process process = new ProcessBuilder(JvmLauncher.command(BusCommand.class, List.of(AERON_FLAG,
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), all)).redirectErrorStream(true).start();
        process.getOutputStream().close();
        GatewayProcess gateway = new GatewayProcess(process);
        gateway.await(line -> line.startsWith("gateway ready"), 60);
        return gateway;
    }

    /** Waits for a line that passes {@code test}; fails after {@code seconds} or when the gateway exits. */
    String await(Predicate<String> test, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        synchronized (lines) {
            while (true) {
                for (String line : lines) {
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
    }

    /** SIGTERM; returns the exit status. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("gateway " + process.pid() + " did not stop on SIGTERM within 30 s");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
