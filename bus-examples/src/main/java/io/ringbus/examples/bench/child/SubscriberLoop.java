package io.ringbus.examples.bench.child;

import java.util.Arrays;

/**
 * The loop of a throughput subscriber child, the same code for every ring: {@code RUN total} replies
 * {@code ARMED}, then polls until {@code total} messages are in, timing from the first message to
 * the last, and replies {@code RESULT messages=.. nanos=.. rate=.. errors=.. alloc=..} (alloc: bytes
 * the loop allocated). Each message is copied out of the ring (by the subclass) and its sequence
 * checked against the last one from the same publisher: a lost, repeated or reordered message counts
 * as an error.
 */
public abstract class SubscriberLoop implements ChildRole {
    /** Most messages one poll delivers, the same for every ring. */
    public static final int POLL_LIMIT = 1024;

    protected final SpinGuard guard;
    private final long[] expected;
    private long total;
    private long count;
    private long errors;
    private long first;
    private long last;

    protected SubscriberLoop(SpinGuard guard, int publishers) {
        this.guard = guard;
        this.expected = new long[publishers];
    }

    /** Polls the ring once, up to {@link #POLL_LIMIT} messages, calling {@link #received} for each. */
    protected abstract int poll();

    /** Bookkeeping for one message copied out of the ring. */
    protected final void received(long sequence, int publisher) {
        if (count == 0) {
            first = System.nanoTime();
        }
        if (publisher >= 0 && publisher < expected.length && expected[publisher] == sequence) {
            expected[publisher] = sequence + 1;
        } else {
            errors++;
        }
        if (++count == total) {
            last = System.nanoTime();
        }
    }

    /** Called with each command before its run starts (the clock is not running): a peer may switch files. */
    protected void prepare(String[] command) {
    }

    @Override
    public final void execute(String[] command) {
        prepare(command);
        total = ChildRunner.longArg(command, 1);
        count = 0;
        errors = 0;
        Arrays.fill(expected, 0);
        ChildRunner.reply("ARMED");
        long allocatedBefore = Allocations.current();
        while (count < total) {
            if (poll() == 0) {
                guard.spin();
            }
        }
        long allocated = Allocations.current() - allocatedBefore;
        long nanos = last - first;
        long rate = nanos > 0 ? (long) ((total - 1) * 1e9 / nanos) : 0;
        ChildRunner.reply("RESULT messages=" + total + " nanos=" + nanos + " rate=" + rate + " errors=" + errors
            + " alloc=" + allocated);
    }
}
