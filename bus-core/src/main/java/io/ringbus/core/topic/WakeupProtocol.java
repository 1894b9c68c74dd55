package io.ringbus.core.topic;

import io.ringbus.core.ring.internal.Memory;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The shared-memory steps of the wakeup protocol, in one place so that the publisher, the
 * subscriber and the jcstress tests run the same code. No system calls here: the futex wait returns
 * at once when the wake word is no longer 0, so the race that matters is only this one:
 *
 * <pre>
 *   subscriber                              publisher
 *   parked = 1; parkedCount += 1  (SC)      commit stamp (release)
 *   poll the ring again                     full fence
 *   nothing? sleep while wakeWord == 0      parkedCount > 0?  then post: wakeWord 0 -> 1, wake
 * </pre>
 *
 * Both sides store, fence, then load: at least one sees the other's store. Either the subscriber's
 * second poll sees the message, or the publisher sees the subscriber parked and posts, and the
 * subscriber's futex wait (value 0 expected) returns at once.
 */
public final class WakeupProtocol {
    private WakeupProtocol() {
    }

    /**
     * Subscriber, before its last poll: announce that it is about to park.
     *
     * @param slot the subscriber slot (ring cursor slot) memory and offset
     * @param header the topic header holding the parked count
     */
    public static void announceParked(MemorySegment ring, long slot, MemorySegment header) {
        Memory.setIntVolatile(ring, slot + SubscriberSlotDescriptor.PARKED_OFFSET, 1);
        Memory.getAndAddInt(header, TopicDescriptor.PARKED_COUNT_OFFSET, 1);
    }

    /**
     * Subscriber, after waking: consume a post (if any) and withdraw the announcement.
     *
     * @return whether a post was consumed (a publisher asked this subscriber to wake)
     */
    public static boolean withdrawParked(MemorySegment ring, long slot, MemorySegment header) {
        boolean posted = Memory.casInt(ring, slot + SubscriberSlotDescriptor.WAKE_WORD_OFFSET, 1, 0);
        Memory.setIntVolatile(ring, slot + SubscriberSlotDescriptor.PARKED_OFFSET, 0);
        Memory.getAndAddInt(header, TopicDescriptor.PARKED_COUNT_OFFSET, -1);
        return posted;
    }

    /** Publisher, after committing: whether any subscriber may be parked (one fence, one load). */
    public static boolean anyoneParked(MemorySegment header) {
        VarHandle.fullFence();
        return Memory.getIntVolatile(header, TopicDescriptor.PARKED_COUNT_OFFSET) > 0;
    }

    /** Whether the subscriber in this slot announced itself parked. */
    public static boolean isParked(MemorySegment ring, long slot) {
        return Memory.getIntVolatile(ring, slot + SubscriberSlotDescriptor.PARKED_OFFSET) == 1;
    }

    /**
     * Publisher: post the subscriber's semaphore. Returns true when this post changed it from 0 to 1,
     * so a futex wake (or signal) is due; false when a post is already pending.
     */
    public static boolean post(MemorySegment ring, long slot) {
        return Memory.casInt(ring, slot + SubscriberSlotDescriptor.WAKE_WORD_OFFSET, 0, 1);
    }

    /** The wake word's value: what the subscriber's futex wait compares with 0. */
    public static int wakeWord(MemorySegment ring, long slot) {
        return Memory.getIntVolatile(ring, slot + SubscriberSlotDescriptor.WAKE_WORD_OFFSET);
    }
}
