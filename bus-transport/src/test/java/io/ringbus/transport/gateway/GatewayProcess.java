package io.ringbus.transport.gateway;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A gateway in a child JVM with the one flag Aeron needs (as the {@code ./bus} launcher gives it), its standard
 * output and error collected line by line for the test to wait on. The child runs {@link GatewayMain} (the library,
 * for this module's tests) or, through {@link #cli}, {@code bus gateway} (bus-examples' CLI tests, which get this
 * class from this module's test jar). Either prints {@code gateway ready} once its routes run.
 */
public final class GatewayProcess implements AutoCloseable {
    /** What Aeron needs on JDK 25, and all it needs. */
    public static final String AERON_FLAG = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

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

    /** The main a child runs, and the arguments before the gateway's own (the CLI's subcommand). */
    public record Main(String className, List<String> leadingArgs) {
    }

    /** {@code MAIN gateway ARGS}: the {@code bus} CLI, whose main class is {@code busCommand}. */
    public static Main cli(String busCommand) {
        return new Main(busCommand, List.of("gateway"));
    }

    private static final Main LIBRARY = new Main(GatewayMain.class.getName(), List.of());

    /** Starts the library's gateway ({@link GatewayMain}) and waits for its "gateway ready" line. */
    static GatewayProcess start(String... args) throws Exception {
        return start(LIBRARY, List.of(), List.of(), args);
    }

    /** The same, in a JVM given {@code jvmOptions} too. */
    static GatewayProcess start(List<String> jvmOptions, String... args) throws Exception {
        return start(LIBRARY, List.of(), jvmOptions, args);
    }

    /**
     * Starts {@code main} as {@code prefix java ...} (a prefix is a command that ends by exec'ing the rest, such as
     * {@code two-hosts.sh run a NAME}, so that the pid is the JVM's), and waits for its "gateway ready" line.
     */
    public static GatewayProcess start(Main main, List<String> prefix, List<String> jvmOptions, String... args)
        throws Exception {
        List<String> all = new ArrayList<>(main.leadingArgs());
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
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(options);
        command.addAll(List.of("-cp", absoluteClassPath(), main.className()));
        command.addAll(all);
        Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile()).start();
        process.getOutputStream().close();
        GatewayProcess gateway = new GatewayProcess(process, output);
        gateway.await(line -> line.startsWith("gateway ready"), 60);
        return gateway;
    }

    /** This JVM's class path, each entry absolute: a prefix may start the child in another directory. */
    private static String absoluteClassPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                entries.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Waits for a line that passes {@code test}; fails after {@code seconds} or when the gateway exits. */
    public String await(Predicate<String> test, int seconds) throws InterruptedException {
        return awaitFrom(0, test, seconds);
    }

    /** As {@link #await}, looking only at the lines from index {@code first} on (those printed after a moment). */
    public String awaitFrom(int first, Predicate<String> test, int seconds) throws InterruptedException {
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
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** kill -9, as a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        awaitEnd();
    }

    /** SIGSTOP ({@code pause = true}) or SIGCONT: the whole gateway, driver included, freezes or goes on. */
    public void signal(boolean pause) throws Exception {
        Process kill = new ProcessBuilder("kill", pause ? "-STOP" : "-CONT", Long.toString(process.pid())).start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill " + (pause ? "-STOP " : "-CONT ") + process.pid() + " failed");
        }
    }

    /** SIGTERM; returns the exit status. */
    public int stop() throws InterruptedException {
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
