package io.ringbus.transport;

import io.ringbus.core.RingBusException;

/**
 * A failure of a stream path that a user or a peer can cause: nothing listening at a URI, a
 * rejected peer, a malformed frame. Its message names the path and says what to do.
 */
public class TransportException extends RingBusException {
    /** An error whose message says what failed and what to do. */
    public TransportException(String message) {
        super(message);
    }

    /** An error caused by a lower-level failure. */
    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
