package io.ringbus.transport.stream;

/**
 * How an endpoint that waits in the kernel (a bridge session, a blocking stream subscriber) first
 * keeps trying for a short while. A wait in {@code epoll}/{@code poll} or on a futex costs a wakeup,
 * several microseconds on these machines, and a round trip through a bridge has four of them
 * (client, publishing session, the ring's subscriber, forwarding session); a thread still trying when
 * its next message comes skips its own. Measured with {@code bus bench transport}: round trip p50 on
 * unix about 14 us without the spin, about 9 us with it.
 */
public final class SpinBeforeWait {
    /**
     * Nanoseconds of trying before each wait: bounded, so that a quiet endpoint goes back to costing
     * nothing within microseconds, as the bus's own subscribers do before they park.
     */
    public static final long NANOS = 20_000L;

    private SpinBeforeWait() {
    }

    /**
     * One turn of the spin. It yields the processor rather than spinning on it: on a machine with fewer
     * cores than busy threads (2 cores here; client, two sessions and the ring's subscriber), a spinner
     * that kept its core held back the very thread whose message it waited for, until its spin ended
     * (a round trip then took three spins).
     */
    public static void pause() {
        Thread.yield();
    }
}
