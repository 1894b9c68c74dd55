package io.ringbus.transport.stream;

import io.ringbus.transport.TransportUri;

/**
 * Server side of a stream path: where a bridge takes new connections. Created bound (the socket file
 * or FIFO exists once the constructor returns); {@link #close()} removes what it created.
 */
public interface StreamAcceptor extends AutoCloseable {
    /**
     * The next connection, waiting at most {@code timeoutNanos}.
     *
     * @return the connection, or null on timeout or after {@link #close()}
     */
    ByteStream accept(long timeoutNanos);

    /** The path served (with the port actually bound for {@code tcp://HOST:0}). */
    TransportUri uri();

    /** Stops accepting and removes the socket file or rendezvous FIFO. Idempotent. */
    @Override
    void close();
}
