package io.ringbus.transport;

import io.ringbus.core.BusContext;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * How a {@link BusClient} reaches its bus. Fluent setters; {@link #conclude()} fills defaults and
 * validates. The URI may come from the property {@code ringbus.via} (default {@code shm:}).
 */
public final class TransportContext {
    /** Property naming the path when no URI is set. */
    public static final String VIA_PROPERTY = "ringbus.via";

    private String uri;
    private TransportUri parsedUri;
    private BusContext busContext;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration reconnectInterval = Duration.ofMillis(100);
    private ConnectionListener connectionListener = ConnectionListener.toStandardError();
    private boolean batching;
    private AuthToken authToken;
    private SSLContext tls;
    private boolean concluded;

    /**
     * A context with every default: the URI of the property {@code ringbus.via}, else {@code shm:}; a
     * 5 s connect timeout, reconnects at most every 100 ms, connection events on standard error.
     */
    public TransportContext() {
    }

    /** The path: {@code shm:}, {@code pipe:}, {@code fifo:DIR}, {@code unix:PATH}, {@code tcp://HOST:PORT}. */
    public TransportContext uri(String uri) {
        this.uri = uri;
        return this;
    }

    /** The shared-memory bus for {@code shm:} (default: {@code new BusContext()}). */
    public TransportContext busContext(BusContext busContext) {
        this.busContext = busContext;
        return this;
    }

    /** How long creating an endpoint may wait for the bridge (default 5 s). */
    public TransportContext connectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
        return this;
    }

    /** How often a disconnected endpoint tries again, at most (default 100 ms). */
    public TransportContext reconnectInterval(Duration reconnectInterval) {
        this.reconnectInterval = reconnectInterval;
        return this;
    }

    /** Told about disconnects and reconnects (default: a line on standard error). */
    public TransportContext connectionListener(ConnectionListener connectionListener) {
        this.connectionListener = connectionListener;
        return this;
    }

    /**
     * Whether stream publishers batch (default false): an {@code offer} then writes only once
     * {@value io.ringbus.transport.client.StreamPublisher#BATCH_BYTES} bytes are waiting, and a
     * background thread writes what is left about 100 µs after it was offered. Many messages then
     * share one system call, for throughput; without batching every {@code offer} writes at once,
     * for latency.
     */
    public TransportContext batching(boolean batching) {
        this.batching = batching;
        return this;
    }

    /**
     * The token to answer a bridge's authentication challenge with (default none), as the bridge's
     * {@code BridgeContext.authToken}; read one with {@link AuthToken#readFile}. Stream paths only; a
     * bridge that asks for no token ignores it.
     */
    public TransportContext authToken(AuthToken authToken) {
        this.authToken = authToken;
        return this;
    }

    /**
     * Speaks TLS on {@code tcp://} paths through this context (default none: plaintext), for a bridge whose
     * {@code BridgeContext.tls} is set; {@link TlsContexts#trusting} makes one that trusts the bridge's
     * certificate. The bridge's name is checked against the URI's host.
     */
    public TransportContext tls(SSLContext tls) {
        this.tls = tls;
        return this;
    }

    /** Fills defaults and validates; returns this. */
    public TransportContext conclude() {
        if (concluded) {
            return this;
        }
        String text = uri != null ? uri : System.getProperty(VIA_PROPERTY, "shm:");
        parsedUri = TransportUri.parse(text);
        if (busContext == null) {
            busContext = new BusContext();
        }
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive, not " + connectTimeout);
        }
        if (reconnectInterval == null || reconnectInterval.isNegative() || reconnectInterval.isZero()) {
            throw new IllegalArgumentException("reconnectInterval must be positive, not " + reconnectInterval);
        }
        if (connectionListener == null) {
            throw new IllegalArgumentException("connectionListener must not be null");
        }
        concluded = true;
        return this;
    }

    /** The parsed URI (after {@link #conclude()}). */
    public TransportUri transportUri() {
        return parsedUri;
    }

    /** The shared-memory bus context. */
    public BusContext busContext() {
        return busContext;
    }

    /** Connect timeout. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Reconnect interval. */
    public Duration reconnectInterval() {
        return reconnectInterval;
    }

    /** Whether stream publishers batch. */
    public boolean batching() {
        return batching;
    }

    /** The token for a bridge's challenge, or null. */
    public AuthToken authToken() {
        return authToken;
    }

    /** The TLS context for tcp:// paths, or null. */
    public SSLContext tls() {
        return tls;
    }

    /** Connection listener. */
    public ConnectionListener connectionListener() {
        return connectionListener;
    }
}
