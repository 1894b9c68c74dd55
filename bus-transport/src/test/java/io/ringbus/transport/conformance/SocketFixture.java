package io.ringbus.transport.conformance;

import io.ringbus.transport.BusClient;
import io.ringbus.transport.BusClients;
import io.ringbus.transport.ConnectionListener;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.bridge.Bridge;
import io.ringbus.transport.stream.SocketConnector;
import io.ringbus.transport.stream.StreamConnector;
import java.util.List;

/** The {@code unix:} and {@code tcp://} paths: a bridge listening on a socket, clients from its URI. */
final class SocketFixture extends BridgedFixture {
    private final boolean unix;
    private String uri;

    private SocketFixture(boolean unix) {
        this.unix = unix;
    }

    /** A Unix socket in the test's directory ({@code sock/bus.sock}, the bridge makes {@code sock} 0700). */
    static SocketFixture unix() {
        return new SocketFixture(true);
    }

    /** TCP on loopback, on a port the first bridge picks and later ones reuse. */
    static SocketFixture tcp() {
        return new SocketFixture(false);
    }

    @Override
    String name() {
        return unix ? "unix" : "tcp";
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
    protected BusClient openClient(ConnectionListener listener) {
        return BusClients.open(transportContext(uri, listener));
    }

    @Override
    StreamConnector rawConnector() {
        return new SocketConnector(TransportUri.parse(uri));
    }
}
