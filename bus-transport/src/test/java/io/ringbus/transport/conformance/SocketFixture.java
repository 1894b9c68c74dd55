package io.ringbus.transport.conformance;

import io.ringbus.transport.BusClient;
import io.ringbus.transport.BusClients;
import io.ringbus.transport.ConnectionListener;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.bridge.Bridge;
import io.ringbus.transport.bridge.BridgeContext;
import io.ringbus.transport.stream.SocketConnector;
import io.ringbus.transport.stream.StreamConnector;
import java.util.List;

/** The {@code unix:} and {@code tcp://} paths: a bridge listening on a socket, clients from its URI. */
final class SocketFixture extends BridgedFixture {
    private final boolean unix;
    private final boolean loopsOnly;
    private String uri;

    private SocketFixture(boolean unix, boolean loopsOnly) {
        this.unix = unix;
        this.loopsOnly = loopsOnly;
    }

    /** A Unix socket in the test's directory ({@code sock/bus.sock}, the bridge makes {@code sock} 0700). */
    static SocketFixture unix() {
        return new SocketFixture(true, false);
    }

    /** As {@link #unix()}, with every connection on the bridge's event loops (no dedicated threads). */
    static SocketFixture unixLoop() {
        return new SocketFixture(true, true);
    }

    /** As {@link #tcp()}, with every connection on the bridge's event loops (no dedicated threads). */
    static SocketFixture tcpLoop() {
        return new SocketFixture(false, true);
    }

    /** TCP on loopback, on a port the first bridge picks and later ones reuse. */
    static SocketFixture tcp() {
        return new SocketFixture(false, false);
    }

    @Override
    String name() {
        return (unix ? "unix" : "tcp") + (loopsOnly ? "-loop" : "");
    }

    @Override
    protected BridgeContext configure(BridgeContext context) {
        return loopsOnly ? context.dedicatedThreads(0) : context;
    }

    @Override
    protected List<String> listenUris() {
        return List.of(unix ? "unix:" + root().resolve("sock/bus.sock") : "tcp://127.0.0.1:0");
    }

    @Override
    protected void started(Bridge first) {
        uri = first.listening().get(0).toString();
    }

    @Override
    protected List<String> restartUris() {
        return List.of(uri);
    }

    /** The URI clients connect to (with the TCP port bound). */
    String uri() {
        return uri;
    }

    @Override
    String processUri() {
        return uri;
    }

    @Override
    protected BusClient openClient(ConnectionListener listener) {
        return BusClients.open(transportContext(uri, listener));
    }

    @Override
    StreamConnector rawConnector() {
        return new SocketConnector(TransportUri.parse(uri));
    }
}
