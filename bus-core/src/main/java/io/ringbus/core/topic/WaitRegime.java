package io.ringbus.core.topic;

import java.util.function.IntSupplier;

/**
 * Whether a blocking subscriber's next {@code await} spins before it parks (its fixed polls,
 * then the {@link SpinBudget}) or parks at once, as a C program sleeping in {@code FUTEX_WAIT} does: chosen
 * from whether spinning has lately caught messages while it held its core, measured at run time.
 *
 * <p><b>Why choose.</b> Spinning pays when the peer that will answer runs on another core: on two idle vCPUs
 * a ping-pong whose waits spin runs at 0.45 µs a round trip, against 40-55 µs when each wait sleeps (an idle
 * vCPU is slow to wake). It costs when there is no core to spare: with a busy process beside, the peer this
 * subscriber has just woken sits queued behind it on its core while it polls, so every poll delays the very
 * reply it waits for (measured: 2-4 µs p50 from a post to the woken thread running, round trips 1.9x the
 * C futex's, which parks at once). Which case holds is a property of the machine at the moment, not of
 * the topic, so it is measured.
 *
 * <p><b>What is measured.</b> A wait that spun reports whether its message came while it still held its
 * core ({@link #onSpun}: in its fixed polls or before its spin began to yield), or only after it yielded
 * or parked. That share is a moving average (a new report weighs 1/8). Under one half, waits park at once.
 * Comparing wait times instead does not work: each side's probe is measured against what its peer does now,
 * so two subscribers that both park found spinning no faster (the reply needed the peer's wakeup either
 * way) and stayed parked on a quiet machine (measured: quiet p50 3.2-3.6 µs instead of 0.45 µs). Whether a
 * spin caught its message on its core does not depend on that: it needs only the peer running elsewhere.
 *
 * <p>While waits park at once, every {@code probeInterval}-th wait spins, and its report weighs 1/2 (one
 * caught message turns the choice back). A probe that leaves the choice as it was doubles the interval,
 * from {@link #FIRST_PROBE_INTERVAL} up to {@link #MAX_PROBE_INTERVAL}.
 *
 * <p>Spinning is the starting choice, kept for the first {@link #WARM_UP_REPORTS} reports, and the only one
 * when adaptive spinning is off and in signal mode (a signal wakeup, 150 µs or more, is past the spin cap, so
 * a probe could never catch a parked peer's reply there). Not thread-safe: one
 * per subscriber, used by the thread in {@code await}.
 */
final class WaitRegime {
    static final int FIRST_PROBE_INTERVAL = 16;
    static final int MAX_PROBE_INTERVAL = 1024;
    /** The share of spins that caught their message on the core, in 1/{@code ONE}. */
    static final int ONE = 1024;
    /** Reports before the first switch to parking: a JVM warming up (interpreted polls, compiler threads) misses. */
    static final int WARM_UP_REPORTS = 256;
    private static final int AVERAGE_SHIFT = 3;
    private static final int PROBE_SHIFT = 1;

    private final boolean enabled;
    /** Runnable threads machine-wide now, the caller included, or -1 when unknown. */
    private final IntSupplier runnable;
    private final int processors;
    private int caughtShare = ONE;
    private int reports;
    private boolean parkFirst;
    private int probeInterval = FIRST_PROBE_INTERVAL;
    private int untilProbe = FIRST_PROBE_INTERVAL;

    WaitRegime(boolean enabled, IntSupplier runnable, int processors) {
        this.enabled = enabled;
        this.runnable = runnable;
        this.processors = processors;
    }

    /** Whether a processor is idle now (fewer runnable threads than processors); false when unknown. */
    private boolean spareProcessor() {
        int now = runnable.getAsInt();
        return now >= 0 && now < processors;
    }

    /** Whether the next wait parks at once, without its fixed polls and spin; counts the waits to the next probe. */
    boolean parkAtOnce() {
        if (!parkFirst) {
            return false;
        }
        if (--untilProbe > 0) {
            return true;
        }
        untilProbe = probeInterval;
        if (spareProcessor()) {
            spinAgain();
        }
        return false;
    }

    private void spinAgain() {
        parkFirst = false;
        caughtShare = ONE;
        probeInterval = FIRST_PROBE_INTERVAL;
    }

    /** A wait that spun first ended: {@code caughtOnCore} if its message came before it yielded or parked. */
    void onSpun(boolean caughtOnCore) {
        if (!enabled) {
            return;
        }
        if (reports < WARM_UP_REPORTS) {
            reports++;
            return;
        }
        int shift = parkFirst ? PROBE_SHIFT : AVERAGE_SHIFT;
        caughtShare += ((caughtOnCore ? ONE : 0) - caughtShare) >> shift;
        boolean park = caughtShare < ONE / 2;
        if (parkFirst && park) {
            probeInterval = Math.min(2 * probeInterval, MAX_PROBE_INTERVAL);
        } else if (park && spareProcessor()) {
            spinAgain(); // an idle processor: the peer can run beside, and the misses were a passing disturbance
            return;
        } else if (park) {
            probeInterval = FIRST_PROBE_INTERVAL;
        }
        parkFirst = park;
        untilProbe = probeInterval;
    }

    /** For tests: park at once from now, as after a run of misses on a busy machine (probes still come). */
    void parkFromNow() {
        reports = WARM_UP_REPORTS;
        caughtShare = 0;
        parkFirst = enabled;
        probeInterval = FIRST_PROBE_INTERVAL;
        untilProbe = probeInterval;
    }

    /** Whether waits now park at once (the choice, not counting probes). */
    boolean parksFirst() {
        return parkFirst;
    }

    /** The share of recent spins that caught their message on the core, in 1/{@link #ONE}. */
    int caughtShare() {
        return caughtShare;
    }
}
