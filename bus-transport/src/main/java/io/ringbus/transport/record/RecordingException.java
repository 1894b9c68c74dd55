package io.ringbus.transport.record;

import io.ringbus.core.RingBusException;

/** Recording or replaying failed for a reason the message names, with what to do about it. */
public final class RecordingException extends RingBusException {
    /** An error whose message says what failed and what to do. */
    public RecordingException(String message) {
        super(message);
    }

    /** An error caused by a lower-level failure. */
    public RecordingException(String message, Throwable cause) {
        super(message, cause);
    }
}
