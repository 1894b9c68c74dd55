package io.ringbus.transport.gateway;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * The gateway thread's idle strategy: Agrona's {@link BackoffIdleStrategy} (spin, yield, then park from 1 µs
 * doubling up to {@code maxParkNanos}) while messages move, and a longer park, {@code quietParkNanos}, once no
 * route has moved a message for {@code quietAfterNanos}.
 *
 * <p>Why two: Aeron has no blocking receive, so an idle gateway wakes up to look, and on this kind of VM a
 * wake-up is what costs (a thread doing nothing but {@code parkNanos(1 ms)} used 1.7% of a core, measured). The
 * media driver's own housekeeping (heartbeats, status messages, timers) resets the back-off as work does, so that
 * flow control and retransmissions are served promptly, but does not end a quiet spell: only messages do. The
 * price of the quiet park is that the first message after a quiet spell waits up to {@code quietParkNanos} on
 * each gateway it crosses. One thread uses an instance.
 */
final class QuietBackoffIdleStrategy implements IdleStrategy {
    private static final long MIN_PARK_NANOS = 1_000;
    private final BackoffIdleStrategy active;
    private final long quietAfterNanos;
    private final long quietParkNanos;
    private final LongSupplier clock;
    private final LongConsumer quietPark;
    private long lastMessageNanos;

    QuietBackoffIdleStrategy(long maxParkNanos, long quietAfterNanos, long quietParkNanos) {
        this(maxParkNanos, quietAfterNanos, quietParkNanos, System::nanoTime, LockSupport::parkNanos);
    }

    /** With the clock and the quiet spell's park given (for tests). */
    QuietBackoffIdleStrategy(long maxParkNanos, long quietAfterNanos, long quietParkNanos, LongSupplier clock,
        LongConsumer quietPark) {
        if (maxParkNanos < MIN_PARK_NANOS || quietParkNanos < maxParkNanos || quietAfterNanos < 0) {
            throw new IllegalArgumentException("need 1 µs <= max park (" + maxParkNanos + " ns) <= quiet park ("
                + quietParkNanos + " ns) and a quiet spell of at least 0 ns (" + quietAfterNanos + ")");
        }
        this.active = new BackoffIdleStrategy(10, 20, MIN_PARK_NANOS, maxParkNanos);
        this.quietAfterNanos = quietAfterNanos;
        this.quietParkNanos = quietParkNanos;
        this.clock = clock;
        this.quietPark = quietPark;
        lastMessageNanos = clock.getAsLong();
    }

    /** A route moved messages: a quiet spell, if there was one, ends. */
    void messagesMoved() {
        lastMessageNanos = clock.getAsLong();
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            active.reset();
        } else {
            idle();
        }
    }

    @Override
    public void idle() {
        if (clock.getAsLong() - lastMessageNanos > quietAfterNanos) {
            quietPark.accept(quietParkNanos);
        } else {
            active.idle();
        }
    }

    @Override
    public void reset() {
        active.reset();
    }

    @Override
    public String alias() {
        return "quiet-backoff";
    }
}
