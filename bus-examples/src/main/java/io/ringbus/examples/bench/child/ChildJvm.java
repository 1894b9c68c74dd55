package io.ringbus.examples.bench.child;

import io.ringbus.stress.common.JvmLauncher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The parent's handle on one child JVM, which runs a role through {@link ChildRunner}: started by
 * {@link JvmLauncher} (this JVM's java binary and class path), driven by lines on its stdin, heard
 * through lines on its stdout (read by a daemon thread into a queue). Its stderr goes straight to ours.
 * Every wait has a deadline: a child that dies, fails or hangs becomes a {@link BenchException} that
 * names it, and is killed.
 */
public final class ChildJvm implements AutoCloseable {
    private static final String EOF = "\u0000EOF";
    /** How often a wait with partners looks whether one of them has exited. */
    private static final Duration PARTNER_CHECK = Duration.ofMillis(200);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    /** Extra options for every child JVM alike, from {@code --child-jvm-option}; set before any start. */
    private static volatile List<String> extraOptions = List.of();

    private final String label;
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildJvm(String label, Process process) {
        this.label = label;
        this.process = process;
        this.stdin = process.outputWriter(StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readStdout, "bench-child-" + label);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code main role timeout args...} in a new JVM, {@code main} being the entry point of the
     * benchmark {@code role} belongs to (it runs the role with {@link ChildRunner#run}).
     *
     * @param peerFlags flags for this JVM alone (a peer's add-opens and add-exports; none for ringbus)
     */
    public static ChildJvm start(String label, Class<?> main, List<String> peerFlags, String role, Duration timeout,
        List<String> args) {
        List<String> options = new ArrayList<>(peerFlags);
        options.addAll(extraOptions);
        List<String> arguments = new ArrayList<>();
        arguments.add(role);
        // The child gives up a little before the parent does, so that its own error message arrives first.
        arguments.add(Long.toString(timeout.toMillis() * 9 / 10));
        arguments.addAll(args);
        try {
            Process process = JvmLauncher.start(main, options, arguments);
            LIVE.add(process);
            return new ChildJvm(label, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start child JVM " + label + " (" + JvmLauncher.javaBinary() + "): "
                + e, e);
        }
    }

    /** Options added to every child JVM, ringbus's and Agrona's alike (diagnostics, GC choice). */
    public static void extraOptions(List<String> options) {
        extraOptions = List.copyOf(options);
    }

    /** Kills every child still running; for the shutdown hook and for failures. */
    static void killAll() {
        for (Process process : LIVE) {
            process.destroyForcibly();
        }
        LIVE.clear();
    }

    /** The child's process id. */
    public long pid() {
        return process.pid();
    }

    public void send(String line) {
        try {
            stdin.write(line);
            stdin.write('\n');
            stdin.flush();
        } catch (IOException e) {
            throw fail(process.isAlive() ? "could not be sent '" + line + "' (" + e.getMessage() + ")"
                : "exited with status " + exitStatus() + " before it could be sent '" + line
                    + "'; its stderr is above");
        }
    }

    /** Waits for a line starting with {@code prefix}, skipping any other, for at most {@code timeout}. */
    public String await(String prefix, Duration timeout) {
        return awaitAny(timeout, prefix);
    }

    /** Waits for a line starting with any of {@code prefixes}, skipping any other, for at most {@code timeout}. */
    public String awaitAny(Duration timeout, String... prefixes) {
        return awaitAny(timeout, List.of(), prefixes);
    }

    /**
     * Waits for a line starting with any of {@code prefixes}, skipping any other, for at most {@code timeout},
     * and gives up as soon as one of {@code partners} (the other processes of the same run) has exited: a
     * publisher that died would otherwise leave its subscriber waiting out the whole timeout.
     */
    public String awaitAny(Duration timeout, List<ChildJvm> partners, String... prefixes) {
        String prefix = String.join(" or ", prefixes);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line;
            try {
                long slice = partners.isEmpty() ? deadline - System.nanoTime()
                    : Math.min(deadline - System.nanoTime(), PARTNER_CHECK.toNanos());
                line = lines.poll(Math.max(0, slice), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw fail("was abandoned: interrupted while waiting for " + prefix);
            }
            if (line == null && System.nanoTime() - deadline < 0) {
                for (ChildJvm partner : partners) {
                    if (!partner.process.isAlive()) {
                        process.destroyForcibly();
                        throw partner.fail("ended (status " + partner.exitStatus() + ") while " + label
                            + " waited for " + prefix + partner.errorLine().map(e -> ": " + e).orElse(""));
                    }
                }
                continue;
            }
            if (line == null) {
                throw fail("sent no " + prefix + " within " + timeout.toSeconds() + " s and is still running (hung,"
                    + " or the machine is too loaded); killed it");
            }
            if (line.equals(EOF)) {
                throw fail("exited with status " + exitStatus() + " before sending " + prefix
                    + "; its stderr is above");
            }
            if (line.startsWith("ERROR")) {
                throw fail("failed: " + line.substring(5).trim());
            }
            for (String wanted : prefixes) {
                if (line.startsWith(wanted)) {
                    return line;
                }
            }
            System.err.println("[" + label + "] " + line);
        }
    }

    /** Waits for a {@code RESULT key=value ...} line and returns its pairs. */
    public Map<String, String> awaitResult(Duration timeout) {
        return awaitResult(timeout, List.of());
    }

    /** Waits for a {@code RESULT key=value ...} line, giving up when a partner exits (see awaitAny). */
    public Map<String, String> awaitResult(Duration timeout, List<ChildJvm> partners) {
        String line = awaitAny(timeout, partners, "RESULT");
        Map<String, String> result = new HashMap<>();
        for (String token : line.substring("RESULT".length()).trim().split(" +")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                result.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        return result;
    }

    /** Asks the child to exit, and kills it if it has not within five seconds. */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                send("EXIT");
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (BenchException | InterruptedException ignored) {
                // killed below
            }
        }
        process.destroyForcibly();
        LIVE.remove(process);
    }

    /** The {@code ERROR} line this child sent and nobody has read yet, without its prefix. */
    private Optional<String> errorLine() {
        return lines.stream().filter(l -> l.startsWith("ERROR")).map(l -> l.substring(5).trim()).findFirst();
    }

    private BenchException fail(String what) {
        process.destroyForcibly();
        return new BenchException("child JVM " + label + " (pid " + process.pid() + ") " + what);
    }

    private String exitStatus() {
        try {
            return process.waitFor(1, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private void readStdout() {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException ignored) {
            // the process went away; EOF below says so
        }
        lines.add(EOF);
    }

    /**
     * Ends every child in {@code children}: politely ({@code EXIT}, then a kill after five seconds)
     * when the harness completed, at once when it is failing (a child may be spinning on a dead peer
     * and would not read {@code EXIT} before its own deadline).
     */
    public static void endAll(List<ChildJvm> children, boolean completed) {
        for (ChildJvm child : children) {
            if (completed) {
                child.close();
            } else {
                child.process.destroyForcibly();
                LIVE.remove(child.process);
            }
        }
    }
}
