package io.ringbus.stress.process;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * The {@code cpu-busy} fault: a busy process ({@link StressBusyMain}) beside the bus, spinning on 1 to
 * N threads (N: this machine's cores) for 5 to 20 s, each choice drawn from the run's seed. Unlike
 * the other faults it does not hold the fault thread: it is a condition under which the next faults
 * run (a kill, a join, a CLI episode on a busy machine). A new one replaces the one running. Not
 * thread-safe: the fault thread alone calls it.
 */
final class Contention implements AutoCloseable {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Launcher launcher;
    private final Tallies tallies;
    private final Findings findings;
    private final EventLog log;
    private final SplittableRandom random;
    private ChildProcess busy;
    private long startedAt;
    private long endsAt;
    private int count;
    private int threads;

    Contention(Launcher launcher, Tallies tallies, Findings findings, EventLog log, long seed) {
        this.launcher = launcher;
        this.tallies = tallies;
        this.findings = findings;
        this.log = log;
        this.random = new SplittableRandom(seed);
    }

    /** Starts a busy process (replacing the one running). */
    void start() {
        stop();
        int cores = Runtime.getRuntime().availableProcessors();
        threads = random.nextInt(1, cores + 1);
        long millis = random.nextLong(5_000, 20_001);
        busy = launcher.busy("busy-" + ++count, threads);
        startedAt = System.nanoTime();
        endsAt = startedAt + millis * 1_000_000L;
        tallies.injected(FaultKind.CPU_BUSY);
        tallies.busy("episodes", 1);
        log.add("cpu-busy: " + busy.name() + " spins on " + threads + " of " + cores + " cores for " + millis + " ms");
    }

    /** Whether a busy process is spinning now. */
    boolean running() {
        return busy != null && busy.isAlive();
    }

    /** Stops the busy process once its time is up. */
    void expire() {
        if (busy != null && System.nanoTime() - endsAt >= 0) {
            stop();
        }
    }

    /** Stops the busy process, if one runs. */
    void stop() {
        if (busy == null) {
            return;
        }
        ChildProcess stopping = busy;
        busy = null;
        long millis = (System.nanoTime() - startedAt) / 1_000_000;
        tallies.busy("busy_ms", millis);
        tallies.busy("thread_ms", millis * threads);
        stopping.send("STOP");
        if (!stopping.awaitExit(STOP_TIMEOUT)) {
            findings.error("busy process did not stop within " + STOP_TIMEOUT.toSeconds() + " s: "
                + stopping.describe());
            stopping.destroy();
        }
        log.add("cpu-busy: " + stopping.name() + " stopped");
    }

    @Override
    public void close() {
        stop();
    }
}
