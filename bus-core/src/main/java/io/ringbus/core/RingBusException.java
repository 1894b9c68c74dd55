package io.ringbus.core;

/**
 * Base of every typed error ringbus throws for a failure a user or a peer can cause. Its message
 * names what failed and what to do about it. Flow control (a full ring, a closed peer) is never an
 * exception; see {@link Result}.
 */
public class RingBusException extends RuntimeException {
    /** An error with a message that says what failed and what to do. */
    public RingBusException(String message) {
        super(message);
    }

    /** An error caused by a lower-level failure. */
    public RingBusException(String message, Throwable cause) {
        super(message, cause);
    }
}
