package io.ringbus.transport;

/**
 * A peer sent bytes that are not a valid frame (a length over the limit, an unknown control type, a
 * handshake out of place). The connection that carried it is closed; others are unaffected.
 */
public final class MalformedFrameException extends TransportException {
    /** A malformed frame; the message says what was wrong. */
    public MalformedFrameException(String message) {
        super(message);
    }
}
