package io.ringbus.core;

/**
 * A topic exists with a different shape (capacity, maximum message length, producer mode, slots)
 * from what the opener requires. The message lists each difference.
 */
public class TopicMismatchException extends RingBusException {
    /** A mismatch report. */
    public TopicMismatchException(String message) {
        super(message);
    }
}
