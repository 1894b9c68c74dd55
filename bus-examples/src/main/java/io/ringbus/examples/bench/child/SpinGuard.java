package io.ringbus.examples.bench.child;

/**
 * Keeps a child's spin loops from spinning forever when its peer dies or hangs: {@link #spin()}
 * costs an increment, and reads the clock once every 65,536 calls. {@link ChildRunner} arms it before
 * each command; a command that runs past the deadline throws, and the child reports the error.
 *
 * <p>In a child started with {@code -D}{@value #IDLE_PROPERTY}{@code =yield}, {@link #spin()} also gives up
 * the processor ({@link Thread#yield}): a benchmark with more busy processes than cores starts every
 * child, of every ring alike, so (see {@code ThroughputHarness}).
 */
public final class SpinGuard {
    /** The system property that makes {@link #spin()} yield: {@code yield}; anything else spins. */
    public static final String IDLE_PROPERTY = "ringbus.bench.idle";
    private static final boolean YIELD = "yield".equals(System.getProperty(IDLE_PROPERTY));
    private static final int CHECK_MASK = (1 << 16) - 1;

    private final long timeoutNanos;
    private long deadline;
    private int spins;

    SpinGuard(long timeoutMillis) {
        this.timeoutNanos = timeoutMillis * 1_000_000L;
        arm();
    }

    /** Starts the deadline again, from now. */
    void arm() {
        deadline = System.nanoTime() + timeoutNanos;
    }

    /** Call once per empty poll or refused offer. */
    public void spin() {
        if ((++spins & CHECK_MASK) == 0) {
            checkNow();
        }
        if (YIELD) {
            Thread.yield();
        }
    }

    /**
     * Reads the clock and throws if the deadline has passed: for loops that wait in the kernel
     * between checks (a blocking read, a parked subscriber), where {@link #spin()} would count too slowly.
     */
    public void checkNow() {
        if (System.nanoTime() - deadline > 0) {
            throw new IllegalStateException("command still waiting on its peer after " + timeoutNanos / 1_000_000
                + " ms: the peer process died or hung, or the machine is too loaded to schedule it");
        }
    }
}
