package io.ringbus.transport.client;

import io.ringbus.transport.AuthToken;
import io.ringbus.transport.ConnectionListener;
import io.ringbus.transport.TransportException;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.frame.Hello;
import io.ringbus.transport.stream.ByteStream;
import io.ringbus.transport.stream.StreamConnector;

/**
 * One endpoint's connection to a bridge, and its reconnection: connected, broken (retried at most
 * every reconnect interval, on the caller's thread, when the endpoint is used), or closed.
 */
final class StreamConnection {
    private final StreamConnector connector;
    private final Hello hello;
    private final AuthToken token;
    private final ConnectionListener listener;
    private final long connectTimeoutNanos;
    private final long reconnectIntervalNanos;
    private volatile ByteStream stream;
    private Handshake.Welcome welcome;
    private long nextAttemptNanos;
    private volatile boolean closed;

    StreamConnection(StreamConnector connector, Hello hello, ConnectionListener listener, long connectTimeoutNanos,
        long reconnectIntervalNanos) {
        this(connector, hello, null, listener, connectTimeoutNanos, reconnectIntervalNanos);
    }

    StreamConnection(StreamConnector connector, Hello hello, AuthToken token, ConnectionListener listener,
        long connectTimeoutNanos, long reconnectIntervalNanos) {
        this.connector = connector;
        this.hello = hello;
        this.token = token;
        this.listener = listener;
        this.connectTimeoutNanos = connectTimeoutNanos;
        this.reconnectIntervalNanos = reconnectIntervalNanos;
    }

    /** Connects for the first time; failures are thrown (setup errors are exceptions). */
    Handshake.Welcome open() {
        ByteStream opened = connector.connect(connectTimeoutNanos);
        try {
            welcome = Handshake.perform(opened, hello, token, connectTimeoutNanos, connector.uri().toString());
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        stream = opened;
        return welcome;
    }

    /** The stream when connected, else null. */
    ByteStream stream() {
        return stream;
    }

    /**
     * The stream, reconnecting first if the connection is broken and the interval has passed.
     *
     * @return the stream, or null when not connected (now)
     */
    ByteStream streamOrReconnect() {
        if (stream != null || closed) {
            return stream;
        }
        long now = System.nanoTime();
        if (now - nextAttemptNanos < 0) {
            return null;
        }
        nextAttemptNanos = now + reconnectIntervalNanos;
        ByteStream opened;
        try {
            opened = connector.connect(Math.min(connectTimeoutNanos, 1_000_000_000L));
        } catch (TransportException e) {
            return null;
        }
        try {
            Handshake.Welcome again = Handshake.perform(opened, hello, token, connectTimeoutNanos,
                connector.uri().toString());
            if (again.maxMessageLength() < welcome.maxMessageLength()) {
                opened.close();
                return null; // the topic was recreated smaller; messages already accepted might not fit
            }
            welcome = again;
        } catch (TransportException e) {
            opened.close();
            return null;
        }
        stream = opened;
        listener.onReconnected(connector.uri(), hello.topic());
        return stream;
    }

    /** Marks the connection broken, closing the stream, and tells the listener once. */
    void broken(String reason) {
        if (stream == null) {
            return;
        }
        stream.close();
        stream = null;
        nextAttemptNanos = System.nanoTime();
        if (!closed) {
            listener.onDisconnected(connector.uri(), hello.topic(), reason);
        }
    }

    boolean isConnected() {
        return stream != null;
    }

    TransportUri uri() {
        return connector.uri();
    }

    Handshake.Welcome welcome() {
        return welcome;
    }

    void close() {
        closed = true;
        if (stream != null) {
            stream.close();
            stream = null;
        }
    }

    boolean isClosed() {
        return closed;
    }
}
