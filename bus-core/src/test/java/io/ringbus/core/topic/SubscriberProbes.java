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

    /** Slices that ran out their timeout with a message ready afterwards: wakeups a publisher failed to give. */
    public static long timeoutWakeups(Subscriber subscriber) {
        return ((ShmSubscriber) subscriber).timeoutWakeups;
    }
}
