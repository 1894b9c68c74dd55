package io.ringbus.core.topic;

/**
 * How long a blocking (or signal) subscriber's {@code await} polls before it parks, learnt from what
 * a wakeup costs on this machine now rather than from a constant.
 *
 * <p><b>Why spin at all.</b> A park costs the sleeper the time from the publisher's post to its own
 * thread running again: measured here 40-55 µs while the vCPUs are idle and about 5 µs while a busy
 * process keeps them awake, and 150 µs or more for a signal. Polling for about what a wakeup would
 * cost is the classic competitive rule (spin for the price of a block): when a message comes within
 * that time the subscriber saw it at once, and when it does not it lost a bounded multiple of what
 * the park costs it anyway.
 *
 * <p><b>What is measured.</b> A publisher that posts a parked subscriber stamps the post time
 * ({@code System.nanoTime}, the same monotonic clock in every process on Linux) in the subscriber's
 * slot. The subscriber, woken by that post, learns two things from it: what the wakeup cost (stamp to
 * running again, {@link #onWoken}) and how long after its wait began the message came (wait start to
 * stamp, {@link #onArrival}; a wait that a spin ended reports it too). Each is a moving average (a new
 * sample weighs 1/8) of samples clipped at {@link #OUTLIER_FACTOR} times the average so far: a wakeup that
 * lost its core to a busy process for a scheduler slice (a millisecond) is not what the next one costs,
 * and unclipped, a few of them had raised a 2-5 µs average to 25-120 µs (measured with a busy process
 * beside), so every probe spin held its core that long against the peer it waited for. A real change
 * still takes over within a few samples (each raises the average by up to 3/8). The budget is the larger
 * of two wakeups and one and a half arrivals, capped by {@link #MAX_BUDGET_NANOS} (past that, a spin
 * only burns a core that a slow machine needs):
 * <ul>
 *   <li>two wakeups, not one: the message a subscriber waits for is often a reply from a peer that was
 *       itself asleep, so it comes one wakeup of the peer's plus the peer's work after the request;</li>
 *   <li>the arrivals: in a ping-pong the reply comes a few microseconds of the peer's work after even
 *       that, and a budget of wakeups alone missed it by a hair every time (measured: blocking round
 *       trips unchanged at 6.7 µs p50, 0 spin hits in an in-process ping-pong of 2,000).</li>
 * </ul>
 * Until the first measurement the budget is 0, and {@code await} polls only its fixed few times.
 *
 * <p><b>When spinning does not pay.</b> A subscriber whose messages come seldom would spin a whole
 * budget before nearly every park. After {@link #MISSES_BEFORE_PAUSE} spins in a row that ended in a
 * park, it stops spinning for the next {@link #PAUSED_AWAITS} waits, then tries one spin again; so
 * an idle topic costs at most one budget per {@code PAUSED_AWAITS} waits.
 *
 * <p>Not thread-safe: one per subscriber, used by the thread in {@code await}.
 */
final class SpinBudget {
    /** Longest spin, whatever wakeups cost: a machine that slow needs its cores for other work. */
    static final long MAX_BUDGET_NANOS = 200_000;
    /** A sample past this is not a wakeup's cost nor a burst's gap (a stale stamp, a quiet topic): ignored. */
    static final long MAX_SAMPLE_NANOS = 10_000_000;
    static final int MISSES_BEFORE_PAUSE = 8;
    static final int PAUSED_AWAITS = 64;
    /** The budget in wakeups: one of the peer's before it can answer, one of this subscriber's saved. */
    static final int WAKEUPS_PER_BUDGET = 2;
    /** A sample counts at most this multiple of the average so far (see the class comment). */
    static final long OUTLIER_FACTOR = 4;
    private static final int AVERAGE_SHIFT = 3;

    private final boolean enabled;
    private long wakeCostNanos;
    private long arrivalNanos;
    private int missesInARow;
    private int pausedLeft;

    SpinBudget(boolean enabled) {
        this.enabled = enabled;
    }

    /** Nanoseconds the next wait may poll before it parks; 0 for polling only the fixed few times. */
    long nanos() {
        if (!enabled || wakeCostNanos == 0 && arrivalNanos == 0) {
            return 0;
        }
        if (pausedLeft > 0) {
            pausedLeft--;
            return 0;
        }
        long budget = Math.max(WAKEUPS_PER_BUDGET * wakeCostNanos, arrivalNanos + (arrivalNanos >> 1));
        return Math.min(budget, MAX_BUDGET_NANOS);
    }

    /**
     * Of a spin of {@code budget}, the first nanoseconds to poll without giving up the processor: twice the
     * learnt arrival time (what a peer that is running takes to answer). Polling on the core is the
     * fastest way to see such a reply (about 0.5 µs a round trip here, against about 5 µs when every
     * poll yields); past it the reply needs a peer that is not running, so the rest of the budget yields.
     */
    long busyNanos(long budget) {
        return Math.min(budget, 2 * arrivalNanos);
    }

    /** A wait that spun found a message {@code arrivalNanos} after it began, before its budget ran out. */
    void onHit(long arrivalNanos) {
        missesInARow = 0;
        onArrival(arrivalNanos);
    }

    /** A wait spun its whole budget (more than 0) and then had to park. */
    void onMiss() {
        if (++missesInARow >= MISSES_BEFORE_PAUSE) {
            pausedLeft = PAUSED_AWAITS;
            missesInARow = MISSES_BEFORE_PAUSE - 1; // the probe after the pause decides again
        }
    }

    /** A park ended by a publisher's post: from its stamp to this thread running took {@code nanos}. */
    void onWoken(long nanos) {
        if (nanos <= 0 || nanos > MAX_SAMPLE_NANOS) {
            return;
        }
        wakeCostNanos = average(wakeCostNanos, nanos);
    }

    /** A wait's message came {@code nanos} after the wait began (its post stamp, or the spin that saw it). */
    void onArrival(long nanos) {
        if (nanos <= 0 || nanos > MAX_SAMPLE_NANOS) {
            return;
        }
        arrivalNanos = average(arrivalNanos, nanos);
    }

    /** The moving average {@code average} after {@code sample}, clipped at {@link #OUTLIER_FACTOR} times it. */
    private static long average(long average, long sample) {
        if (average == 0) {
            return sample;
        }
        long clipped = Math.min(sample, OUTLIER_FACTOR * average);
        return average + ((clipped - average) >> AVERAGE_SHIFT);
    }

    /** The learnt delay from a wait's start to its message, 0 before the first. */
    long arrivalNanos() {
        return arrivalNanos;
    }

    /** The learnt cost of a wakeup, 0 before the first. */
    long wakeCostNanos() {
        return wakeCostNanos;
    }
}
