package io.ringbus.transport.conformance;

import io.ringbus.transport.BusClient;
import io.ringbus.transport.BusClients;
import io.ringbus.transport.ConnectionListener;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.stream.MqConnector;
import io.ringbus.transport.stream.StreamConnector;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code mq:/NAME} path: a bridge serving POSIX message queues under a private name
 * ({@code /rb-mq-test-HEX}), removed when the bridge closes. Every case holds: frames span queue
 * messages, and a peer's close travels as an empty message (see {@code MqStream}).
 */
final class MqFixture extends BridgedFixture {
    private final String uri = "mq:/rb-mq-test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());

    @Override
    String name() {
        return "mq";
    }

    @Override
    protected List<String> listenUris() {
        return List.of(uri);
    }

    /**
     * 2,000 churned connections: a connection is two mq_open with O_CREAT, a CONNECT, two more opens and
     * two unlinks by the bridge, about as slow as a FIFO rendezvous.
     */
    @Override
    int churnConnections() {
        return 2_000;
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
        return new MqConnector(TransportUri.parse(uri));
    }
}
