package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.fail;

import io.ringbus.core.os.Processes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child JVM running one of the test mains, started with the same java binary and class path as
 * the test: its standard output is collected line by line (each line with the time it arrived),
 * its standard error kept for failure messages, and its standard input open for commands.
 */
final class ChildJvm implements AutoCloseable {
    /** SIGKILL, SIGCONT and SIGSTOP on Linux x86_64 and aarch64. */
    static final int SIGKILL = 9;
    static final int SIGCONT = 18;
    static final int SIGSTOP = 19;

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final List<String> lines = new ArrayList<>();
    private final List<Long> arrivals = new ArrayList<>();
    private final StringBuilder errors = new StringBuilder();
    private boolean outputEnded;

    private ChildJvm(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name(name + "-stdout").start(() -> readLines(process.getInputStream()));
        Thread.ofPlatform().daemon().name(name + "-stderr").start(() -> readErrors(process.getErrorStream()));
    }

    /**
     * Starts {@code main} in a new JVM.
     *
     * @param workDir the child's working directory, where a crashing JVM would leave its hs_err file
     * @param jvmOptions extra options such as {@code -Dringbus.test.crashPoint=afterClaim}
     */
    static ChildJvm start(String name, Path workDir, Class<?> main, List<String> jvmOptions, List<String> args) {
        String java = ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-XX:+UseSerialGC");
        command.add("-Xmx128m");
        command.add("-XX:+PerfDisableSharedMem");
        command.add("-XX:ErrorFile=" + workDir.resolve("hs_err_pid%p.log"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(jvmOptions);
        command.add(main.getName());
        command.addAll(args);
        try {
            Process process = new ProcessBuilder(command).directory(workDir.toFile()).start();
            return new ChildJvm(name, process);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + command, e);
        }
    }

    private void readLines(InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                long now = System.nanoTime();
                synchronized (this) {
                    lines.add(line);
                    arrivals.add(now);
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

    /** Every line printed so far. */
    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** Lines printed so far that start with {@code prefix}. */
    synchronized List<String> lines(String prefix) {
        return lines.stream().filter(line -> line.startsWith(prefix)).toList();
    }

    /** Standard error so far. */
    String errors() {
        synchronized (errors) {
            return errors.toString();
        }
    }

    /** Waits for the first line starting with {@code prefix}; fails on timeout or when the child ends first. */
    String awaitLine(String prefix, Duration timeout) {
        return awaitLine(line -> line.startsWith(prefix), "a line starting with '" + prefix + "'", timeout);
    }

    /** Waits for the first line matching {@code test}; returns it. */
    synchronized String awaitLine(Predicate<String> test, String what, Duration timeout) {
        return lines.get(awaitIndex(test, 0, what, timeout));
    }

    /** Waits for the first line at index {@code from} or later matching {@code test}; returns its index. */
    synchronized int awaitIndex(Predicate<String> test, int from, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = from;
        while (true) {
            for (; next < lines.size(); next++) {
                if (test.test(lines.get(next))) {
                    return next;
                }
            }
            long left = deadline - System.nanoTime();
            if (outputEnded || left <= 0) {
                String why = outputEnded ? "its output ended (exit " + exitText() + ")" : "timed out after " + timeout;
                fail(name + ": waiting for " + what + ", " + why + "\n" + describe());
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, 100_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(name + ": interrupted waiting for " + what);
            }
        }
    }

    /** When line {@code index} arrived ({@link System#nanoTime()}). */
    synchronized long arrival(int index) {
        return arrivals.get(index);
    }

    /** Writes one command line to the child's standard input. */
    void send(String command) {
        try {
            stdin.write(command + "\n");
            stdin.flush();
        } catch (IOException e) {
            fail(name + ": cannot send '" + command + "': " + e + "\n" + describe());
        }
    }

    /** Sends a signal (SIGSTOP, SIGCONT...) to the child. */
    void signal(int signal) {
        if (!Processes.signal(process.pid(), signal)) {
            fail(name + ": could not send signal " + signal + "\n" + describe());
        }
    }

    /** kill -9, then waits until the process is gone; returns {@link System#nanoTime()} just before the kill. */
    long kill9() {
        long before = System.nanoTime();
        signal(SIGKILL);
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                fail(name + " survived kill -9 for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return before;
    }

    /** Waits for the child to exit on its own; returns its exit code. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail(name + ": did not exit within " + timeout + "\n" + describe());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(name + ": interrupted waiting for exit");
        }
        synchronized (this) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!outputEnded && System.nanoTime() < deadline) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return process.exitValue();
    }

    private String exitText() {
        return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
    }

    /** Name, pid, state, the last lines of output and the standard error, for failure messages. */
    synchronized String describe() {
        StringBuilder text = new StringBuilder();
        text.append("--- ").append(name).append(" (pid ").append(process.pid()).append(", ")
            .append(process.isAlive() ? "alive" : "exit " + process.exitValue()).append("), last output:\n");
        for (int i = Math.max(0, lines.size() - 25); i < lines.size(); i++) {
            text.append("  ").append(lines.get(i)).append('\n');
        }
        String err = errors();
        if (!err.isEmpty()) {
            text.append("--- stderr:\n").append(err.length() > 6000 ? err.substring(err.length() - 6000) : err);
        }
        return text.toString();
    }

    /** Kills the child if it still runs (even a stopped one) and waits for it. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
