package io.ringbus.core.topic;

import io.ringbus.core.ring.CursorDescriptor;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.ring.internal.Memory;
import io.ringbus.core.ring.internal.RingSlots;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What a back-pressured publisher does about what holds it back, at most once per
 * {@link #SWEEP_INTERVAL_NANOS}: frees the slots of dead non-durable subscribers (their lock is no
 * longer held), clears the parked flag a dead subscriber left, evicts evictable subscribers that
 * have held publishers back for longer than they allowed, and pads the first pending claim if the
 * publisher that made it is dead.
 */
public final class SlotSweeper {
    /** How often a back-pressured publisher sweeps. */
    public static final long SWEEP_INTERVAL_NANOS = 100_000_000L;

    private final TopicFile topic;
    private long lastSweep = System.nanoTime() - SWEEP_INTERVAL_NANOS;

    /** A sweeper of one topic. */
    public SlotSweeper(TopicFile topic) {
        this.topic = topic;
    }

    /** Sweeps if the last sweep is older than the interval. */
    void onBackPressure() {
        long now = System.nanoTime();
        if (now - lastSweep >= SWEEP_INTERVAL_NANOS) {
            lastSweep = now;
            sweep(topic, true);
            // A pending claim holds publishers back too (the ring's committed head): if its owner is
            // dead, nobody else may be waiting on it to trigger recovery (there may be no subscribers).
            Ring ring = topic.ring();
            long tail = ring.tail();
            long firstPending = RingSlots.advanceCommittedHead(ring, tail);
            if (firstPending < tail) {
                DeadClaims.recover(topic, firstPending);
            }
        }
    }

    /**
     * One sweep over the subscriber slots.
     *
     * @param evict whether to evict stalled evictable subscribers (publishers do; tools do not)
     * @return the number of dead subscriber slots freed
     */
    public static int sweep(TopicFile topic, boolean evict) {
        Ring ring = topic.ring();
        MemorySegment segment = ring.segment();
        long tail = ring.tail();
        int highMark = Math.min(ring.maxCursors(),
            Memory.getIntVolatile(segment, RingDescriptor.CURSOR_HIGH_MARK_OFFSET));
        int freed = 0;
        for (int i = 0; i < highMark; i++) {
            long slot = RingDescriptor.cursorOffset(i);
            if (Memory.getIntVolatile(segment, slot + CursorDescriptor.STATE_OFFSET) != CursorDescriptor.ACTIVE) {
                continue;
            }
            int flags = segment.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.FLAGS_OFFSET);
            boolean alive = topic.file().isLockHeld(TopicDescriptor.subscriberLockByte(i));
            if (!alive) {
                clearParked(topic, slot);
                if ((flags & SubscriberSlotDescriptor.FLAG_DURABLE) == 0 && Memory.casInt(segment,
                    slot + CursorDescriptor.STATE_OFFSET, CursorDescriptor.ACTIVE, CursorDescriptor.FREE)) {
                    freed++;
                    continue;
                }
            }
            if (evict && (flags & SubscriberSlotDescriptor.FLAG_EVICTABLE) != 0) {
                evictIfStalled(ring, slot, tail);
            }
        }
        return freed;
    }

    private static void clearParked(TopicFile topic, long slot) {
        MemorySegment segment = topic.ring().segment();
        if (Memory.casInt(segment, slot + SubscriberSlotDescriptor.PARKED_OFFSET, 1, 0)) {
            Memory.getAndAddInt(topic.segment(), TopicDescriptor.PARKED_COUNT_OFFSET, -1);
        }
    }

    private static void evictIfStalled(Ring ring, long slot, long tail) {
        MemorySegment segment = ring.segment();
        long position = Memory.getLongVolatile(segment, slot + CursorDescriptor.POSITION_OFFSET);
        long stallSince = Memory.getLongVolatile(segment, slot + SubscriberSlotDescriptor.STALL_SINCE_OFFSET);
        long nowMillis = System.currentTimeMillis();
        // Holding publishers back: less than a maximum-size record of room left before its position.
        boolean holdingBack = tail - position > ring.capacity() - largestClaim(ring);
        if (!holdingBack) {
            return;
        }
        if (stallSince == 0) {
            Memory.casLong(segment, slot + SubscriberSlotDescriptor.STALL_SINCE_OFFSET, 0, nowMillis);
            return;
        }
        long evictAfter = segment.get(ValueLayout.JAVA_LONG, slot + SubscriberSlotDescriptor.EVICT_AFTER_OFFSET);
        if (nowMillis - stallSince >= evictAfter
            && Memory.casInt(segment, slot + CursorDescriptor.STATE_OFFSET, CursorDescriptor.ACTIVE,
                SubscriberSlotDescriptor.EVICTED)) {
            segment.set(ValueLayout.JAVA_LONG, slot + SubscriberSlotDescriptor.EVICTED_AT_OFFSET, position);
        }
    }

    /** Bytes of the largest claim: a maximum-size record plus the padding a wrap may add. */
    private static long largestClaim(Ring ring) {
        return 2L * (ring.maxMessageLength() + 2L * io.ringbus.core.ring.RecordDescriptor.HEADER_LENGTH);
    }
}
