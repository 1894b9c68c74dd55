package io.ringbus.core;

/** How a subscriber waits in {@link Subscriber#await} when nothing is committed. */
public enum WakeupMode {
    /**
     * Spin through the configured idle strategy (by default a busy spin that never parks); lowest
     * latency, one core busy while waiting.
     */
    SPIN,
    /** Spin briefly, then park on a futex semaphore in the subscriber's slot; publishers wake it. */
    BLOCKING,
    /** Spin briefly, then park the thread; publishers wake it with a signal (SIGUSR2 by default). */
    SIGNAL
}
