package io.ringbus.examples.demo;

import io.ringbus.stress.common.JvmLauncher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A child JVM of the demo, seen from the parent: the process, a thread reading its report lines
 * ({@link ChildProtocol}) into fields, and its standard input for commands.
 */
final class DemoChild {
    final String name;
    private final Process process;
    private final Writer commands;
    private final PrintStream errors;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Histogram interval = ChildProtocol.newHistogram();
    private final Histogram total = ChildProtocol.newHistogram();
    private volatile long count;
    private volatile String result;
    private volatile String failure;

    private DemoChild(String name, Process process, PrintStream errors) {
        this.name = name;
        this.process = process;
        this.errors = errors;
        this.commands = process.outputWriter(StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readReports, "demo-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code mainClass} in a new JVM ({@link JvmLauncher}): the same java binary and class path as
     * this one, with native access enabled and the serial collector. Its standard error goes to ours.
     */
    static DemoChild start(String name, Class<?> mainClass, List<String> args, PrintStream errors)
        throws IOException {
        return new DemoChild(name, JvmLauncher.start(mainClass, List.of("-XX:+UseSerialGC"), args), errors);
    }

    private void readReports() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                onReport(line);
            }
        } catch (IOException | RuntimeException e) {
            failure = "unreadable report: " + e.getMessage();
        } finally {
            ready.countDown();
            finished.countDown();
        }
    }

    private void onReport(String line) {
        String[] words = line.split(" ");
        switch (words[0]) {
            case ChildProtocol.READY -> ready.countDown();
            case ChildProtocol.SENT, ChildProtocol.DONE -> count = Long.parseLong(words[1]);
            case ChildProtocol.RECEIVED -> {
                Histogram latencies = ChildProtocol.decode(words[2]);
                synchronized (interval) {
                    interval.add(latencies);
                    total.add(latencies);
                }
                count = Long.parseLong(words[1]);
            }
            case ChildProtocol.RESULT -> result = line.substring(ChildProtocol.RESULT.length() + 1);
            default -> errors.println(name + ": " + line);
        }
    }

    /** Waits until the child said READY; false if it ended or the time passed first. */
    boolean awaitReady(long timeoutMillis) throws InterruptedException {
        return ready.await(timeoutMillis, TimeUnit.MILLISECONDS) && process.isAlive();
    }

    /** Waits until the child's output ended (it exited); false if the time passed first. */
    boolean awaitFinished(long timeoutMillis) throws InterruptedException {
        return finished.await(timeoutMillis, TimeUnit.MILLISECONDS)
            && process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** Sends one command line; ignores a child that is gone. */
    void send(String command) {
        try {
            commands.write(command + "\n");
            commands.flush();
        } catch (IOException ignored) {
            // The child ended; its exit code tells the rest.
        }
    }

    /** Messages sent (publisher) or received (subscriber) so far. */
    long count() {
        return count;
    }

    /** The subscriber's RESULT line without its keyword, or null. */
    String result() {
        return result;
    }

    /** Adds the latencies reported since the last call to {@code into}, and forgets them here. */
    void drainInterval(Histogram into) {
        synchronized (interval) {
            into.add(interval);
            interval.reset();
        }
    }

    /** Adds every latency reported to {@code into}. */
    void addTotal(Histogram into) {
        synchronized (interval) {
            into.add(total);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Why this child failed: a bad report, an exit code other than 0; or null. */
    String failure() {
        if (failure != null) {
            return failure;
        }
        if (!process.isAlive() && process.exitValue() != 0) {
            return "exited with code " + process.exitValue();
        }
        return null;
    }

    /** Ends the child: SIGTERM, then SIGKILL if it is still there after a second. */
    void kill() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(1, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
