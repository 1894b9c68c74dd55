package io.ringbus.transport.gateway;

import io.ringbus.core.RingBusException;

/** The gateway failed for a reason the message names, with what to do about it. */
public final class GatewayException extends RingBusException {
    /** An error whose message says what failed and what to do. */
    public GatewayException(String message) {
        super(message);
    }

    /** An error caused by a lower-level failure. */
    public GatewayException(String message, Throwable cause) {
        super(message, cause);
    }
}
