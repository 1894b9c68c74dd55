package io.ringbus.examples.bench.child;

/**
 * The loop of a throughput publisher child, the same code for every ring: {@code RUN n} offers
 * {@code n} messages of the run's length (64 bytes unless told otherwise) carrying sequence numbers
 * 0 to n - 1 and this publisher's id, spinning whenever the ring is full, then replies
 * {@code DONE nanos=.. alloc=..} (alloc: bytes the loop allocated).
 *
 * <p>Payload layout: sequence (long) at 0, publisher id (int) at 8, zeros to the end.
 */
public abstract class PublisherLoop implements ChildRole {
    /**
     * Fewest messages a throughput run of messages longer than 64 bytes is scaled down to (a run carries
     * as many bytes as at 64 bytes, but never fewer messages than this), in bench ring and bench transport.
     */
    public static final long MIN_SIZED_MESSAGES = 10_000;
    public static final int SEQUENCE_OFFSET = 0;
    public static final int PUBLISHER_OFFSET = 8;

    protected final SpinGuard guard;

    protected PublisherLoop(SpinGuard guard) {
        this.guard = guard;
    }

    /** Offers one message with {@code sequence}; false when the ring is full. */
    protected abstract boolean offer(long sequence);

    /** What the loop does after a refused offer: spin, by default. */
    protected void idle() {
        guard.spin();
    }

    /** Called after the last offer, before the loop stops its clock: writes out anything still batched. */
    protected void finish() {
    }

    /** Called with each command before its run starts (the clock is not running): a peer may switch files. */
    protected void prepare(String[] command) {
    }

    @Override
    public final void execute(String[] command) {
        prepare(command);
        long messages = ChildRunner.longArg(command, 1);
        long allocatedBefore = Allocations.current();
        long start = System.nanoTime();
        for (long sequence = 0; sequence < messages; sequence++) {
            while (!offer(sequence)) {
                idle();
            }
        }
        finish();
        long nanos = System.nanoTime() - start;
        ChildRunner.reply("DONE nanos=" + nanos + " alloc=" + (Allocations.current() - allocatedBefore));
    }
}
