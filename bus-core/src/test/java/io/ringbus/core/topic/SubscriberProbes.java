package io.ringbus.core.topic;

import io.ringbus.core.Subscriber;

/** Reads the wakeup accounting of a shared-memory subscriber, for the cross-process tests. */
public final class SubscriberProbes {
    private SubscriberProbes() {
    }

    /** Park slices the subscriber slept in. */
    public static long slicesSlept(Subscriber subscriber) {
        return ((ShmSubscriber) subscriber).slicesSlept;
    }

    /** Slices that ran out their timeout with a message ready afterwards and no post: wakeups never given. */
    public static long timeoutWakeups(Subscriber subscriber) {
        return ((ShmSubscriber) subscriber).timeoutWakeups;
    }

    /** Slices that ran out their timeout with a message ready afterwards although posted: wakeups too late. */
    public static long lateWakeups(Subscriber subscriber) {
        return ((ShmSubscriber) subscriber).lateWakeups;
    }

    /** The wakeup cost the subscriber learnt for its spin budget, 0 before its first measured wakeup. */
    public static long learntWakeCostNanos(Subscriber subscriber) {
        return ((ShmSubscriber) subscriber).spinBudget.wakeCostNanos();
    }

    /** Waits that the learnt spin ended with a message, before any park. */
    public static long spinHits(Subscriber subscriber) {
        return ((ShmSubscriber) subscriber).spinHits;
    }

    /** Spins of the learnt budget that ran out before a message came. */
    public static long spinMisses(Subscriber subscriber) {
        return ((ShmSubscriber) subscriber).spinMisses;
    }
}
