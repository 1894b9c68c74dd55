package io.ringbus.transport.conformance;

import io.ringbus.transport.BusClient;
import io.ringbus.transport.BusClients;
import io.ringbus.transport.ConnectionListener;
import io.ringbus.transport.stream.FifoConnector;
import io.ringbus.transport.stream.StreamConnector;
import java.util.List;

/** The {@code fifo:DIR} path: a bridge serving named pipes in the test's {@code fifos} directory. */
final class FifoFixture extends BridgedFixture {
    @Override
    String name() {
        return "fifo";
    }

    @Override
    protected List<String> listenUris() {
        return List.of("fifo:" + root().resolve("fifos"));
    }

    /**
     * 2,000 churned connections: a FIFO connection is a rendezvous (two mkfifo, six opens, two
     * unlinks), about 2 ms here under load, so 10,000 would take 20 s.
     */
    @Override
    int churnConnections() {
        return 2_000;
    }

    @Override
    String processUri() {
        return listenUris().get(0);
    }

    @Override
    protected BusClient openClient(ConnectionListener listener) {
        return BusClients.open(transportContext(listenUris().get(0), listener));
    }

    @Override
    StreamConnector rawConnector() {
        return new FifoConnector(root().resolve("fifos"));
    }
}
