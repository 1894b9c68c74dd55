package io.ringbus.stress.process;

import io.ringbus.core.os.Processes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
 */
final class ChildProcess {
    static final int SIGKILL = 9;
    static final int SIGCONT = 18;
    static final int SIGSTOP = 19;
    private static final int ERROR_TAIL = 4000;
    private static final Set<ChildProcess> LIVE = ConcurrentHashMap.newKeySet();

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder errors = new StringBuilder();
    private volatile boolean killed;
    private boolean outputEnded;

    private ChildProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = process.outputWriter(StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name(name + "-out").start(() -> readLines(process.getInputStream()));
        Thread.ofPlatform().daemon().name(name + "-err").start(() -> readErrors(process.getErrorStream()));
    }

    /** Starts {@code main} with {@code args} in a new JVM whose working directory is {@code workDir}. */
    static ChildProcess start(String name, Path workDir, Class<?> main, List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-XX:+UseSerialGC");
        command.add("-Xmx64m");
        command.add("-XX:-UsePerfData");
        command.add("-XX:-CreateCoredumpOnCrash");
        command.add("-XX:ErrorFile=" + workDir.resolve("hs_err_pid%p.log"));
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(args);
        try {
            Process process = new ProcessBuilder(command).directory(workDir.toFile()).start();
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
            while ((line = reader.readLine()) != null) {
                synchronized (errors) {
                    errors.append(line).append('\n');
                    if (errors.length() > 2 * ERROR_TAIL) {
                        errors.delete(0, errors.length() - ERROR_TAIL);
                    }
                }
            }
        } catch (IOException ignored) {
            // The child was killed.
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

    /** Sends a signal; returns whether it was delivered. */
    boolean signal(int signal) {
        return Processes.signal(process.pid(), signal);
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
