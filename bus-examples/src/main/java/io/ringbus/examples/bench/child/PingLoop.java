package io.ringbus.examples.bench.child;

import org.HdrHistogram.Histogram;

/**
 * The timing loop of a ping child, the same code for every ring: {@code RUN warmupRoundTrips
 * warmupMillis measuredRoundTrips [budgetMillis]} runs round trips until both warm-up minimums are met,
 * then the measured ones, in one loop (no pause, no recompilation boundary between warm-up and
 * measurement). With a budget, a run on a machine too loaded to keep up stops early instead of taking
 * minutes: the warm-up ends at a third of the budget, the measurement at the whole (with at least
 * {@link #MIN_MEASURED} round trips measured); {@code count} in the result says how many were.
 * then sends the stop message and replies {@code RESULT p50=.. p90=.. p99=.. p999=.. max=.. mean=..}
 * in nanoseconds, with the measured count, the warm-up's round trips and milliseconds, and the bytes the loop
 * allocated (warm-up included).
 *
 * <p>Subclasses supply one round trip; only one subclass is loaded in a JVM, so the call is
 * inlined.
 */
public abstract class PingLoop implements ChildRole {
    /** Most messages a ping or a pong handles per poll (there is only ever one to handle), on every ring. */
    public static final int POLL_LIMIT = 16;
    /** Fewest round trips a run measures before its budget may end it. */
    public static final long MIN_MEASURED = 1_000;
    static final long HIGHEST_NANOS = 60_000_000_000L;

    protected final SpinGuard guard;
    private final Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
    private long sequence;

    protected PingLoop(SpinGuard guard) {
        this.guard = guard;
    }

    /**
     * Sends one ping of the run's message length carrying {@code sequence} and spins
     * until its echo is back and copied out.
     *
     * @return the sequence number the echo carried
     */
    protected abstract long roundTrip(long sequence);

    /** Sends the message that ends the pong's run. */
    protected abstract void sendStop();

    @Override
    public final void execute(String[] command) {
        long warmupRoundTrips = ChildRunner.longArg(command, 1);
        long warmupNanos = ChildRunner.longArg(command, 2) * 1_000_000L;
        long measured = ChildRunner.longArg(command, 3);
        long budgetNanos = command.length > 4 ? ChildRunner.longArg(command, 4) * 1_000_000L : Long.MAX_VALUE / 4;
        histogram.reset();
        long allocatedBefore = Allocations.current();
        long loopStart = System.nanoTime();
        long warm = 0;
        long warmupEnd = 0;
        long recorded = 0;
        boolean measuring = false;
        while (recorded < measured && (!measuring || recorded < MIN_MEASURED || (recorded & 1023) != 0
            || System.nanoTime() - loopStart < budgetNanos)) {
            long n = ++sequence;
            long start = System.nanoTime();
            long echoed = roundTrip(n);
            long end = System.nanoTime();
            if (echoed != n) {
                throw new IllegalStateException("ping " + n + " came back as " + echoed);
            }
            if (measuring) {
                histogram.recordValue(Math.min(end - start, HIGHEST_NANOS));
                recorded++;
            } else if ((++warm >= warmupRoundTrips && end - loopStart >= warmupNanos)
                || end - loopStart >= budgetNanos / 3) {
                measuring = true;
                warmupEnd = end;
            }
        }
        sendStop();
        long allocated = Allocations.current() - allocatedBefore;
        ChildRunner.reply("RESULT p50=" + histogram.getValueAtPercentile(50)
            + " p90=" + histogram.getValueAtPercentile(90)
            + " p99=" + histogram.getValueAtPercentile(99)
            + " p999=" + histogram.getValueAtPercentile(99.9)
            + " max=" + histogram.getMaxValue()
            + " mean=" + Math.round(histogram.getMean())
            + " count=" + histogram.getTotalCount()
            + " warmup=" + warm
            + " warmupMillis=" + (warmupEnd - loopStart) / 1_000_000
            + " alloc=" + allocated);
    }
}
