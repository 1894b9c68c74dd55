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
}
