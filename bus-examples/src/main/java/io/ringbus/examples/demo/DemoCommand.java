package io.ringbus.examples.demo;

import io.ringbus.examples.support.ExitCodes;
import io.ringbus.examples.support.Sizes;
import io.ringbus.examples.support.TopicArguments;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bus demo}: two publisher processes and two subscriber processes on one topic, in a fresh
 * bus directory, for some seconds flat out (the ring kept full: its latency is queueing), then some
 * seconds paced (the bus's own latency); the rate and latency shown as it goes, and a check line at
 * the end. Every process is a separate JVM (this one's java binary and class path).
 *
 * <pre>
 *   DemoPublisher 0 ─┐                           ┌─▶ DemoSubscriber 0  (checks each publisher's order,
 *                    ├─▶ topic "demo" (1 MiB) ───┤                      counts gaps and repeats)
 *   DemoPublisher 1 ─┘    /dev/shm/ringbus-demo-* └─▶ DemoSubscriber 1
 *          ▲ GO, STOP                                      │ READY, RECEIVED n histogram, RESULT
 *          └──────────── this process (stdin / stdout lines, {@link ChildProtocol}) ◀──┘
 * </pre>
 *
 * <p>Subscribers join first (the parent waits for their READY), so they see every message. Each
 * publisher ends with an END message; a subscriber that has both has everything, and reports.
 * The parent sums up: lost = what a publisher sent that a subscriber never received.
 */
@Command(name = "demo",
    mixinStandardHelpOptions = true,
    description = {"Two publisher processes and two subscriber processes on one topic in a fresh bus directory,"
            + " checked for loss, duplicates and order. Shows the rate and the latency as it goes: first flat out"
            + " (the publishers keep the ring full, so the latency is queueing), then paced at --paced-rate (the"
            + " bus's own latency, in microseconds); ends with a check line, and exits 1 if anything was lost,"
            + " repeated or out of order.",
        "Each process is a separate JVM; Ctrl-C stops them all and removes the directory."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":every message arrived once and in order",
        "1:a message was lost, repeated or out of order, or another failure the one-line message explains (a"
            + " process that did not start)",
        "2:bad usage (the message names the option: --seconds out of range, a --capacity that is not a power of"
            + " two, ...; see --help)",
        ExitCodes.SIGNALS + ", after stopping every process and removing the directory"},
    footer = {"", "Examples:",
        "  ./bus demo",
        "  ./bus demo --seconds 30",
        "  ./bus demo --in-process     # the same, with threads on one ring in one JVM"})
public final class DemoCommand implements Callable<Integer> {
    private static final int PUBLISHERS = 2;
    private static final int SUBSCRIBERS = 2;
    private static final long START_TIMEOUT_MILLIS = 60_000;
    private static final long DRAIN_TIMEOUT_MILLIS = 15_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--seconds", description = "How long the publishers publish flat out, keeping the ring full"
        + " (default: ${DEFAULT-VALUE}).")
    int seconds = 5;

    @Option(names = "--paced-seconds", description = "How long they then publish at --paced-rate (default:"
        + " ${DEFAULT-VALUE}; 0: no paced phase). The first paced second drains what the flat-out phase queued and"
        + " is left out of the paced latency.")
    int pacedSeconds = 5;

    @Option(names = "--paced-rate", paramLabel = "MSG/S", description = "Messages a second of both publishers"
        + " together in the paced phase (default: ${DEFAULT-VALUE}).")
    int pacedRate = 100_000;

    @Option(names = "--capacity", paramLabel = "BYTES",
        converter = io.ringbus.examples.support.SizeConverter.class,
        description = "Ring capacity of the demo topic (default: 1m).")
    int capacity = 1 << 20;

    @Option(names = "--in-process", description = "Threads on one ring in this JVM instead of processes.")
    boolean inProcess;

    private final List<DemoChild> children = new ArrayList<>();
    private PrintWriter out;
    private PrintStream errors;

    @Override
    public Integer call() throws Exception {
        if (seconds < 1 || seconds > 3600) {
            throw new ParameterException(spec.commandLine(), "--seconds must be between 1 and 3600, not " + seconds);
        }
        if (pacedSeconds < 0 || pacedSeconds > 3600 || pacedSeconds == 1) {
            throw new ParameterException(spec.commandLine(), "--paced-seconds must be 0, or between 2 and 3600 (its"
                + " first second is left out), not " + pacedSeconds);
        }
        if (pacedRate < PUBLISHERS || pacedRate > 10_000_000) {
            throw new ParameterException(spec.commandLine(), "--paced-rate must be between " + PUBLISHERS
                + " and 10,000,000, not " + pacedRate);
        }
        TopicArguments.checkCapacity(spec, "--capacity", capacity);
        out = spec.commandLine().getOut();
        if (inProcess) {
            return RingDemo.run(seconds, capacity, out);
        }
        errors = System.err;
        Path directory = Files.createTempDirectory(temporaryBase(), "ringbus-demo-");
        Thread cleanup = new Thread(() -> stopAndRemove(directory), "demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            return run(directory);
        } finally {
            stopAndRemove(directory);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException ignored) {
                // Already shutting down: the hook does the same.
            }
        }
    }

    private int run(Path directory) throws Exception {
        List<DemoChild> subscribers = new ArrayList<>();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            subscribers.add(start("subscriber " + i, DemoSubscriber.class,
                List.of(directory.toString(), Integer.toString(PUBLISHERS), Integer.toString(capacity))));
        }
        awaitReady(subscribers);
        List<DemoChild> publishers = new ArrayList<>();
        for (int i = 0; i < PUBLISHERS; i++) {
            publishers.add(start("publisher " + i, DemoPublisher.class,
                List.of(directory.toString(), Integer.toString(i), Integer.toString(capacity))));
        }
        awaitReady(publishers);

        out.printf("ringbus demo: %d publisher processes, %d subscriber processes, one %s topic in %s, %d s flat"
            + " out%s%n", PUBLISHERS, SUBSCRIBERS, Sizes.bytes(capacity), directory, seconds, pacedSeconds == 0 ? ""
            : String.format(", then %d s paced at %,d msg/s", pacedSeconds, pacedRate));
        out.flush();
        long start = System.nanoTime();
        publishers.forEach(p -> p.send(ChildProtocol.GO + " " + seconds + " " + pacedSeconds + " "
            + pacedRate / PUBLISHERS));
        Histogram paced = showProgress(publishers, subscribers, start);
        if (pacedSeconds > 0) {
            out.printf("flat out, the latency is queueing: the publishers keep the ring full, so each message waits"
                + " behind up to a ring of others%n");
            out.printf("paced at %,d msg/s (the first second, draining the queue, left out), the bus's own latency:"
                + " p50 %,.1f us"
                + "  p90 %,.1f us  p99 %,.1f us  p99.9 %,.1f us  max %,.1f us%n", pacedRate,
                micros(paced.getValueAtPercentile(50)), micros(paced.getValueAtPercentile(90)),
                micros(paced.getValueAtPercentile(99)), micros(paced.getValueAtPercentile(99.9)),
                micros(paced.getMaxValue()));
            int cpus = Runtime.getRuntime().availableProcessors();
            if (cpus < PUBLISHERS + SUBSCRIBERS) {
                out.printf("(the tail: %d busy processes share %d CPUs, so a subscriber sometimes waits for a time"
                    + " slice)%n", PUBLISHERS + SUBSCRIBERS, cpus);
            }
            out.flush();
        }

        for (DemoChild publisher : publishers) {
            publisher.awaitFinished(DRAIN_TIMEOUT_MILLIS);
        }
        long deadline = System.currentTimeMillis() + DRAIN_TIMEOUT_MILLIS;
        for (DemoChild subscriber : subscribers) {
            if (!subscriber.awaitFinished(Math.max(1, deadline - System.currentTimeMillis()))) {
                subscriber.send(ChildProtocol.STOP); // a lost END would keep it waiting: make it report now
                subscriber.awaitFinished(5_000);
            }
        }
        return report(publishers, subscribers);
    }

    private DemoChild start(String name, Class<?> main, List<String> args) throws IOException {
        DemoChild child = DemoChild.start(name, main, args, errors);
        synchronized (children) {
            children.add(child);
        }
        return child;
    }

    private static void awaitReady(List<DemoChild> group) throws InterruptedException {
        for (DemoChild child : group) {
            if (!child.awaitReady(START_TIMEOUT_MILLIS)) {
                String why = child.failure();
                throw new IllegalStateException(child.name + " did not start"
                    + (why != null ? ": " + why : " within " + START_TIMEOUT_MILLIS / 1000 + " s"));
            }
        }
    }

    /**
     * A line a second while the publishers publish: the phase, rates and the latency of that second.
     * Returns the latency of the paced seconds after the first.
     */
    private Histogram showProgress(List<DemoChild> publishers, List<DemoChild> subscribers, long start)
        throws InterruptedException {
        Histogram latency = ChildProtocol.newHistogram();
        Histogram paced = ChildProtocol.newHistogram();
        long lastSent = 0;
        long lastReceived = 0;
        long lastTime = start;
        int total = seconds + pacedSeconds;
        for (int second = 1; second <= total && publishers.stream().anyMatch(DemoChild::isAlive); second++) {
            long wake = start + second * 1_000_000_000L;
            long now;
            while ((now = System.nanoTime()) - wake < 0) {
                Thread.sleep(Math.max(1, (wake - now) / 1_000_000));
            }
            long sent = publishers.stream().mapToLong(DemoChild::count).sum();
            long received = subscribers.stream().mapToLong(DemoChild::count).sum();
            latency.reset();
            subscribers.forEach(s -> s.drainInterval(latency));
            double perSecond = 1e9 / Math.max(1, now - lastTime);
            if (second > seconds + 1) {
                paced.add(latency);
            }
            out.printf("  %-8s sent %,12d/s   received %,12d/s   latency p50 %,9.1f us  p99 %,9.1f us  max %,10.1f"
                + " us%n", second <= seconds ? "flat out" : "paced",
                Math.round((sent - lastSent) * perSecond), Math.round((received - lastReceived) * perSecond),
                micros(latency.getValueAtPercentile(50)), micros(latency.getValueAtPercentile(99)),
                micros(latency.getMaxValue()));
            out.flush();
            lastSent = sent;
            lastReceived = received;
            lastTime = now;
        }
        return paced;
    }

    private int report(List<DemoChild> publishers, List<DemoChild> subscribers) {
        long[] sent = new long[PUBLISHERS];
        for (int p = 0; p < PUBLISHERS; p++) {
            sent[p] = publishers.get(p).count();
        }
        long received = 0;
        long lost = 0;
        long duplicated = 0;
        long outOfOrder = 0;
        List<String> failures = new ArrayList<>();
        Histogram latency = ChildProtocol.newHistogram();
        for (DemoChild subscriber : subscribers) {
            subscriber.addTotal(latency);
            String result = subscriber.result();
            if (result == null) {
                failures.add(subscriber.name + " reported no result");
                continue;
            }
            // received duplicated outOfOrder next0,next1 gaps0,gaps1
            String[] words = result.split(" ");
            received += Long.parseLong(words[0]);
            duplicated += Long.parseLong(words[1]);
            outOfOrder += Long.parseLong(words[2]);
            String[] next = words[3].split(",");
            String[] gaps = words[4].split(",");
            for (int p = 0; p < PUBLISHERS; p++) {
                lost += sent[p] - Long.parseLong(next[p]) + Long.parseLong(gaps[p]);
            }
        }
        for (DemoChild child : children) {
            String why = child.failure();
            if (why != null) {
                failures.add(child.name + " " + why);
            }
        }
        out.printf("latency over the run: p50 %,.1f us  p90 %,.1f us  p99 %,.1f us  p99.9 %,.1f us  max %,.1f us%n",
            micros(latency.getValueAtPercentile(50)), micros(latency.getValueAtPercentile(90)),
            micros(latency.getValueAtPercentile(99)), micros(latency.getValueAtPercentile(99.9)),
            micros(latency.getMaxValue()));
        out.printf("sent %,d  received %,d (%d subscribers)  lost %d  duplicated %d  out of order %d%n",
            java.util.Arrays.stream(sent).sum(), received, subscribers.size(), lost, duplicated, outOfOrder);
        out.flush();
        if (!failures.isEmpty()) {
            throw new IllegalStateException(String.join("; ", failures));
        }
        return lost == 0 && duplicated == 0 && outOfOrder == 0 ? 0 : 1;
    }

    private static double micros(long nanos) {
        return nanos / 1000.0;
    }

    /** /dev/shm when there is one (the topic is then in memory), else the temporary directory. */
    private static Path temporaryBase() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Ends every child still running and removes the demo's directory. Idempotent. */
    private void stopAndRemove(Path directory) {
        List<DemoChild> running;
        synchronized (children) {
            running = List.copyOf(children);
        }
        running.forEach(child -> child.send(ChildProtocol.STOP));
        running.forEach(DemoChild::kill);
        if (Files.exists(directory)) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            } catch (IOException ignored) {
                // Best effort: `bus clean --dir` removes what is left.
            }
        }
    }
}
