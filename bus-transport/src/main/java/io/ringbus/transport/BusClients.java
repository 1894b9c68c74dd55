package io.ringbus.transport;

import io.ringbus.core.Bus;
import io.ringbus.transport.client.StreamBusClient;
import io.ringbus.transport.shm.ShmBusClient;
import io.ringbus.transport.stream.FdStream;
import io.ringbus.transport.stream.FifoConnector;
import io.ringbus.transport.stream.MqConnector;
import io.ringbus.transport.stream.PipeConnector;
import io.ringbus.transport.stream.SocketConnector;
import io.ringbus.transport.stream.TlsConnector;

/**
 * Opens a {@link BusClient} for a URI. {@code pipe:} takes this process's stdin and stdout for its
 * one endpoint (see {@link FdStream#takeStandardStreams()}): use it in a child started by
 * {@code ./bus run}.
 *
 * <pre>{@code
 * try (BusClient client = BusClients.open(new TransportContext().uri("unix:/tmp/ringbus/bus.sock"))) {
 *     Publisher publisher = client.newPublisher("prices", new TopicConfig());
 *     publisher.offer("hello".getBytes());
 * }
 * }</pre>
 */
public final class BusClients {
    private BusClients() {
    }

    /** A client for the context's URI (concluding the context). */
    public static BusClient open(TransportContext context) {
        context.conclude();
        TransportUri uri = context.transportUri();
        return switch (uri.kind()) {
            case SHM -> new ShmBusClient(Bus.open(context.busContext()), uri);
            case UNIX -> new StreamBusClient(context, new SocketConnector(uri));
            case TCP -> new StreamBusClient(context, context.tls() == null ? new SocketConnector(uri)
                : new TlsConnector(new SocketConnector(uri), context.tls()));
            case FIFO -> new StreamBusClient(context, new FifoConnector(uri));
            case MQ -> new StreamBusClient(context, new MqConnector(uri));
            case PIPE -> new StreamBusClient(context, new PipeConnector(FdStream::takeStandardStreams));
        };
    }

    /** A client for {@code uri} with default settings. */
    public static BusClient open(String uri) {
        return open(new TransportContext().uri(uri));
    }
}
