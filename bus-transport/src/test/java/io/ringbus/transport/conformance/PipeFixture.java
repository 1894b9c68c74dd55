package io.ringbus.transport.conformance;

import io.ringbus.transport.BusClient;
import io.ringbus.transport.ConnectionListener;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.client.StreamBusClient;
import io.ringbus.transport.stream.ByteStream;
import io.ringbus.transport.stream.FdStream;
import io.ringbus.transport.stream.PipeConnector;
import io.ringbus.transport.stream.PipePair;
import io.ringbus.transport.stream.StreamConnector;
import java.util.List;

/**
 * The {@code pipe:} path, as a parent sets it up for a child: a pair of pipes per endpoint, one end
 * served by the bridge ({@code Bridge.serve}), the other the client's, handed over once
 * ({@link PipeConnector}: a pipe cannot be dialled again).
 */
final class PipeFixture extends BridgedFixture {
    @Override
    String name() {
        return "pipe";
    }

    @Override
    protected List<String> listenUris() {
        return List.of();
    }

    @Override
    boolean canReconnect() {
        return false;
    }

    /**
     * 2,000 churned connections: each is two new pipes and two eventfds, served by hand (pipe: has
     * no listener), about 1 ms here under load, so 10,000 would take 10-20 s.
     */
    @Override
    int churnConnections() {
        return 2_000;
    }

    @Override
    protected BusClient openClient(ConnectionListener listener) {
        return new StreamBusClient(transportContext("pipe:", listener), new PipeConnector(this::servedPipe));
    }

    @Override
    StreamConnector rawConnector() {
        return new StreamConnector() {
            @Override
            public ByteStream connect(long timeoutNanos) {
                return servedPipe();
            }

            @Override
            public TransportUri uri() {
                return TransportUri.parse("pipe:");
            }
        };
    }

    /** A new pair of pipes whose one end the bridge serves; the other is returned. */
    private ByteStream servedPipe() {
        PipePair pair = FdStream.pipePair();
        bridge().serve(pair.a());
        return pair.b();
    }
}
