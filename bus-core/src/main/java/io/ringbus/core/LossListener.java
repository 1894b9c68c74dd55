package io.ringbus.core;

/**
 * Told, on the subscriber's own thread during {@code poll}, when the subscriber was evicted for
 * stalling and messages were overwritten before it read them.
 */
@FunctionalInterface
public interface LossListener {
    /**
     * Messages between two positions were lost to this subscriber.
     *
     * @param fromPosition where the subscriber was when it was evicted
     * @param toPosition where it resumes
     * @param missedBytes ring bytes skipped, headers and padding included
     */
    void onLoss(long fromPosition, long toPosition, long missedBytes);
}
