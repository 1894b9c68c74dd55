package io.ringbus.examples.bench.transport;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The hand-off between two threads of one raw three-stage peer ({@link RawStaged}): an Agrona
 * {@link OneToOneRingBuffer} on a direct buffer, whose consumer waits as a blocking ringbus endpoint does,
 * polling for a while before it parks, and is woken by the producer.
 *
 * <p>The wait: the consumer polls the ring, yielding between polls, for {@link #SPIN_NANOS} (200 µs, the most
 * a blocking ringbus subscriber polls before it parks, as the bridge's forwarding sessions and the shm
 * peer's echo and consumer do; {@code -D}{@value #SPIN_PROPERTY}{@code =NANOS} to change it, 0 parks at
 * once), then announces itself ({@code sleeper}, a volatile store) and parks unless the ring
 * filled meanwhile. The producer wakes it with {@link #wake()} (a full fence, then a look at
 * {@code sleeper}: with the consumer's store and re-check, neither can miss the other) once per batch it
 * handed over, or {@link #wakeCheap()} (no fence) once per message, where a batch has no end the producer
 * knows; a wakeup the cheap look misses is caught by the producer's next message or its closing
 * {@link #wake()}.
 */
final class Handoff {
    /** The system property that sets the consumer's poll before it parks, in nanoseconds. */
    static final String SPIN_PROPERTY = "ringbus.bench.handoffSpinNanos";
    /** How long the consumer polls (yielding) before it parks. */
    static final long SPIN_NANOS = Long.getLong(SPIN_PROPERTY, 200_000L);
    /** The record type of every hand-off. */
    static final int TYPE = 1;
    /** Longest single park: a wakeup lost to a dead producer shows within the child's step timeout anyway. */
    private static final long PARK_NANOS = 100_000_000L;

    private final OneToOneRingBuffer ring;
    private volatile Thread sleeper;

    /** A ring of {@code capacity} data bytes (a power of two). */
    Handoff(int capacity) {
        this.ring = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    OneToOneRingBuffer ring() {
        return ring;
    }

    /** Producer: wakes the consumer if it parked; call after handing over a batch. */
    void wake() {
        VarHandle.fullFence();
        Thread parked = sleeper;
        if (parked != null) {
            LockSupport.unpark(parked);
        }
    }

    /** Producer: wakes the consumer if it is seen parked, without the fence (see the class comment). */
    void wakeCheap() {
        Thread parked = sleeper;
        if (parked != null) {
            LockSupport.unpark(parked);
        }
    }

    /** Consumer, after finding the ring empty: returns when it may hold something (or a park slice ended). */
    void await() {
        long start = System.nanoTime();
        while (ring.size() == 0) {
            if (System.nanoTime() - start >= SPIN_NANOS) {
                sleeper = Thread.currentThread();
                if (ring.size() == 0) {
                    LockSupport.parkNanos(this, PARK_NANOS);
                }
                sleeper = null;
                return;
            }
            Thread.yield();
        }
    }

    /** Wakes a consumer parked here for good: the peer is closing. */
    void release() {
        wake();
    }
}
