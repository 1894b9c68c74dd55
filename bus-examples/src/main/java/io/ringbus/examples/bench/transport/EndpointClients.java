package io.ringbus.examples.bench.transport;

import io.ringbus.core.Publisher;
import io.ringbus.core.Subscriber;
import io.ringbus.core.os.FileDescriptors;
import io.ringbus.examples.bench.child.ChildRunner;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.TransportContext;
import io.ringbus.transport.client.StreamBusClient;
import io.ringbus.transport.stream.FdStream;
import io.ringbus.transport.stream.PipeConnector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The publishers and subscribers of one client JVM, on its {@link EndpointSpec}'s path. Every path
 * but pipe shares one {@link BusClient}. On the pipe path each endpoint has a pipe pair of its own,
 * as {@code pipe:} carries one endpoint per pair: a child's {@code pipe:} is its stdin and stdout,
 * which in the benchmark carry the control protocol, and a JVM cannot hand a child other descriptors,
 * so the pairs are FIFO nodes in the spec's directory. Per endpoint:
 *
 * <pre>
 *   client (this class)                                  bridge ({@link BridgeHost})
 *   mkfifo NAME.up, NAME.down; hold both read-write
 *   open NAME.down read, NAME.up write
 *   reply "PIPE NAME"   ── parent: "SERVE NAME" ──▶      open NAME.up read, NAME.down write
 *   handshake (HELLO ... WELCOME) over the pair  ◀──▶    Bridge.serve(the pair), as for ./bus run
 *   close the read-write holds, unlink both names
 * </pre>
 *
 * <p>The read-write holds keep each FIFO from reporting end of file (and a non-blocking open for
 * writing from failing) until the bridge has its ends; then each direction has one reader and one
 * writer, so a peer's death shows, and the data path is what {@code pipe:} uses: an {@link FdStream}
 * over pipe descriptors, a {@link PipeConnector}, a bridge session.
 */
final class EndpointClients implements AutoCloseable {
    /** How long a pipe endpoint's handshake may wait for the parent to have the bridge serve it. */
    private static final Duration PIPE_CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final int FIFO_MODE = 0600;

    private final EndpointSpec spec;
    private final List<BusClient> clients = new ArrayList<>();
    private BusClient shared;
    private final boolean batching;
    private int pipes;

    EndpointClients(EndpointSpec spec) {
        this(spec, false);
    }

    /** Clients whose stream publishers batch when {@code batching} (throughput runs). */
    EndpointClients(EndpointSpec spec, boolean batching) {
        this.spec = spec;
        this.batching = batching;
    }

    Publisher publisher(String topic) {
        return open(client -> client.newPublisher(topic, spec.topicConfig()));
    }

    Subscriber subscriber(String topic) {
        return open(client -> client.newSubscriber(topic, spec.topicConfig(), spec.waitMode().subscriberConfig()));
    }

    private <T> T open(Function<BusClient, T> endpoint) {
        if (!spec.isPipe()) {
            if (shared == null) {
                shared = spec.openClient(batching);
                clients.add(shared);
            }
            return endpoint.apply(shared);
        }
        String name = "p" + ProcessHandle.current().pid() + "-" + ++pipes;
        Path directory = spec.pipeDirectory();
        Path up = directory.resolve(name + ".up");
        Path down = directory.resolve(name + ".down");
        int upHold = FileDescriptors.createFifo(up, FIFO_MODE);
        int downHold = -1;
        try {
            downHold = FileDescriptors.createFifo(down, FIFO_MODE);
            int downRead = opened(FileDescriptors.openFifo(down, false), down);
            int upWrite = opened(FileDescriptors.openFifo(up, true), up);
            FdStream stream = FdStream.adopt(downRead, upWrite, "pipe pair " + name);
            BusClient client = new StreamBusClient(new TransportContext().uri("pipe:")
                .connectTimeout(PIPE_CONNECT_TIMEOUT).batching(batching), new PipeConnector(() -> stream));
            clients.add(client);
            ChildRunner.reply("PIPE " + name);
            return endpoint.apply(client);
        } finally {
            FileDescriptors.close(upHold);
            if (downHold >= 0) {
                FileDescriptors.close(downHold);
            }
            FileDescriptors.unlink(up);
            FileDescriptors.unlink(down);
        }
    }

    private static int opened(int fd, Path path) {
        if (fd < 0) {
            throw new IllegalStateException("cannot open " + path + ": " + FileDescriptors.describeError(-fd));
        }
        return fd;
    }

    @Override
    public void close() {
        for (BusClient client : clients) {
            TopicEndpoints.closeQuietly(client);
        }
        clients.clear();
    }
}
