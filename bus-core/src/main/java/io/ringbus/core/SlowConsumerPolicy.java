package io.ringbus.core;

/** What publishers do when a subscriber is a whole ring behind. */
public enum SlowConsumerPolicy {
    /** Publishers wait ({@link Result#BACK_PRESSURED}); the subscriber loses nothing. The default. */
    BACK_PRESSURE,
    /**
     * After the subscriber has held publishers back for the configured stall time, it is evicted:
     * publishers stop waiting for it, and it is told what it missed when it polls again.
     */
    EVICT
}
