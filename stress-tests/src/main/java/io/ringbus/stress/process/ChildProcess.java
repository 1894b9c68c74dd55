package io.ringbus.stress.process;

import io.ringbus.stress.common.JvmLauncher;

import io.ringbus.core.os.Processes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The harness's handle on one child JVM: started with this JVM's java binary and class path, its
 * crash reports ({@code hs_err_pid*.log}) directed into the run's work directory, its standard
 * output collected as lines, the tail of its standard error kept for messages, its standard input
 * open for commands. Signals go through ringbus's own {@link Processes#signal}.
 *
 * <p>Standard error is also watched for a Java stack trace (a line starting {@code Exception in thread}
 * or {@code \tat }): the first lines of the first one are kept, for the run to report. A child may
 * also be any command ({@link #startCommand}), such as the {@code bus} CLI with its output in a file.
 */
final class ChildProcess {
    static final int SIGINT = 2;
    static final int SIGKILL = 9;
    static final int SIGTERM = 15;
    static final int SIGCONT = 18;
    static final int SIGSTOP = 19;
    private static final int ERROR_TAIL = 4000;
    private static final int TRACE_LINES = 10;
    private static final Set<ChildProcess> LIVE = ConcurrentHashMap.newKeySet();

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder errors = new StringBuilder();
    private final List<String> trace = new ArrayList<>();
    private volatile boolean killed;
    private volatile boolean paused;
    private boolean outputEnded;
    private boolean errorsEnded;

    private ChildProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = process.outputWriter(StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name(name + "-out").start(() -> readLines(process.getInputStream()));
        Thread.ofPlatform().daemon().name(name + "-err").start(() -> readErrors(process.getErrorStream()));
    }

    /** Starts {@code main} with {@code args} in a new JVM whose working directory is {@code workDir}. */
    static ChildProcess start(String name, Path workDir, Class<?> main, List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>(java(workDir));
        command.add("-XX:+UseSerialGC");
        command.add("-Xmx64m");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(JvmLauncher.classPath());
        command.add(main.getName());
        command.addAll(args);
        return startCommand(name, workDir, command, ProcessBuilder.Redirect.PIPE);
    }

    /**
     * This JVM's java binary with the options every child gets: native access, and crash reports
     * ({@code hs_err_pid*.log}) in {@code workDir}, no core dump, no perf data file.
     */
    static List<String> java(Path workDir) {
        return List.of(JvmLauncher.javaBinary(), "--enable-native-access=ALL-UNNAMED", "-XX:-UsePerfData",
            "-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=" + workDir.resolve("hs_err_pid%p.log"));
    }

    /**
     * Starts {@code command} in {@code workDir}, its standard output going to {@code output} (a pipe
     * read as lines, or a file), its standard input a pipe.
     */
    static ChildProcess startCommand(String name, Path workDir, List<String> command, ProcessBuilder.Redirect output) {
        try {
            Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectOutput(output).start();
            ChildProcess child = new ChildProcess(name, process);
            LIVE.add(child);
            child.process.onExit().thenRun(() -> LIVE.remove(child));
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + command.getFirst() + "): " + e.getMessage(),
                e);
        }
    }

    private void readLines(InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (this) {
                    lines.add(line);
                    notifyAll();
                }
            }
        } catch (IOException ignored) {
            // The child was killed; what it printed before is kept.
        } finally {
            synchronized (this) {
                outputEnded = true;
                notifyAll();
            }
        }
    }

    private void readErrors(InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            String previous = null;
            while ((line = reader.readLine()) != null) {
                synchronized (errors) {
                    errors.append(line).append('\n');
                    if (errors.length() > 2 * ERROR_TAIL) {
                        errors.delete(0, errors.length() - ERROR_TAIL);
                    }
                    if (!trace.isEmpty() && trace.size() < TRACE_LINES) {
                        trace.add(line);
                    } else if (trace.isEmpty() && isTraceLine(line)) {
                        if (line.startsWith("\tat ") && previous != null) {
                            trace.add(previous); // the exception's own line, before its first frame
                        }
                        trace.add(line);
                    }
                }
                previous = line;
            }
        } catch (IOException ignored) {
            // The child was killed.
        } finally {
            synchronized (errors) {
                errorsEnded = true;
                errors.notifyAll();
            }
        }
    }

    /** Whether a line of standard error belongs to a Java stack trace. */
    static boolean isTraceLine(String line) {
        return line.startsWith("Exception in thread") || line.startsWith("\tat ");
    }

    /**
     * The first lines of the first Java stack trace this child printed on standard error, or an empty
     * list; for a child that has ended, waits up to two seconds for its standard error to be read.
     */
    List<String> stackTrace() {
        synchronized (errors) {
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (!errorsEnded && !process.isAlive() && System.nanoTime() - deadline < 0) {
                try {
                    errors.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return List.copyOf(trace);
        }
    }

    /** Standard error as kept (its tail). */
    String errors() {
        synchronized (errors) {
            return errors.toString();
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Whether the harness killed it (kill -9), as opposed to it ending by itself. */
    boolean killed() {
        return killed;
    }

    /** Whether the harness stopped it (SIGSTOP) and has not continued it yet. */
    boolean paused() {
        return paused;
    }

    /** Its standard input, for a caller that writes to it directly (not through {@link #send}). */
    OutputStream stdin() {
        return process.getOutputStream();
    }

    /** Sends a command line; a child that is gone does not mind. */
    void send(String command) {
        try {
            stdin.write(command + "\n");
            stdin.flush();
        } catch (IOException ignored) {
            // It exited: the harness finds out from its exit.
        }
    }

    /**
     * Waits up to {@code timeout} for a line that passes {@code test}; returns it, or null when the
     * time is up or the child's output ended first.
     */
    synchronized String awaitLine(Predicate<String> test, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = 0;
        while (true) {
            for (; next < lines.size(); next++) {
                if (test.test(lines.get(next))) {
                    return lines.get(next);
                }
            }
            long left = deadline - System.nanoTime();
            if (outputEnded || left <= 0) {
                return null;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, 50_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** Waits for a line starting with {@code prefix}. */
    String awaitLine(String prefix, Duration timeout) {
        return awaitLine(line -> line.startsWith(prefix), timeout);
    }

    /** Every line printed so far that passes {@code test}. */
    synchronized List<String> lines(Predicate<String> test) {
        return lines.stream().filter(test).toList();
    }

    /** The first line starting with {@code prefix} printed so far, or null. */
    synchronized String line(String prefix) {
        return lines.stream().filter(line -> line.startsWith(prefix)).findFirst().orElse(null);
    }

    /** Sends a signal; returns whether it was delivered. SIGSTOP and SIGCONT are noted ({@link #paused}). */
    boolean signal(int signal) {
        if (signal == SIGSTOP) {
            paused = true;
        }
        boolean delivered = Processes.signal(process.pid(), signal);
        if (signal == SIGSTOP && !delivered || signal == SIGCONT && delivered) {
            paused = false;
        }
        return delivered;
    }

    /** kill -9, without waiting: the caller watches what happens meanwhile, then {@link #awaitExit}s. */
    void sigkill() {
        killed = true;
        signal(SIGKILL);
    }

    /** kill -9, then waits until the process is gone. */
    void kill9() {
        killed = true;
        signal(SIGKILL);
        awaitExit(Duration.ofSeconds(30));
    }

    /** Waits for the process to end; returns whether it did within {@code timeout}. */
    boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The exit code, or -1 while it runs. */
    int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** Kills it if it still runs (even a stopped one), without waiting long. */
    void destroy() {
        if (process.isAlive()) {
            killed = true;
            signal(SIGKILL);
            process.destroyForcibly();
            awaitExit(Duration.ofSeconds(10));
        }
    }

    /** Kills every child still running (a shutdown hook's last resort); returns how many there were. */
    static int destroyEveryone() {
        int count = 0;
        for (ChildProcess child : List.copyOf(LIVE)) {
            if (child.isAlive()) {
                count++;
                child.destroy();
            }
        }
        return count;
    }

    /** Name, pid, state, the last lines of output and of standard error, for messages. */
    synchronized String describe() {
        StringBuilder text = new StringBuilder();
        text.append(name).append(" (pid ").append(process.pid()).append(", ")
            .append(process.isAlive() ? "alive" : "exit " + process.exitValue()).append(")");
        for (int i = Math.max(0, lines.size() - 5); i < lines.size(); i++) {
            text.append("\n    out: ").append(lines.get(i));
        }
        String err;
        synchronized (errors) {
            err = errors.toString();
        }
        err.lines().skip(Math.max(0, err.lines().count() - 8)).forEach(line -> text.append("\n    err: ").append(line));
        return text.toString();
    }
}
