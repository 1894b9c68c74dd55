package io.ringbus.transport.stream;

import io.ringbus.transport.TransportException;

/** The stream's peer went away (EOF, EPIPE, ECONNRESET) or the stream was closed here. */
public class StreamClosedException extends TransportException {
    /** A closed stream; the message names it and why. */
    public StreamClosedException(String message) {
        super(message);
    }

    /** A closed stream with the I/O error that showed it. */
    public StreamClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
