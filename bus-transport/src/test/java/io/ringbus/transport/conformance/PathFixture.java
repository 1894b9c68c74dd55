package io.ringbus.transport.conformance;

import io.ringbus.core.BusContext;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.ConnectionListener;
import io.ringbus.transport.TransportContext;
import io.ringbus.transport.bridge.Bridge;
import io.ringbus.transport.stream.StreamConnector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One access path under test: sets up what the path needs in a temporary directory (a bus directory of
 * mode 0700, and for stream paths a bridge serving it), makes clients, and for stream paths stops and
 * restarts the bridge. One instance serves one test invocation; {@link #close()} releases everything.
 *
 * <p>A new path needs only {@link #name()}, {@link #isStream()} and, for a stream path, a subclass of
 * {@link BridgedFixture}.
 */
abstract class PathFixture implements AutoCloseable {
    /** Reconnect attempts in tests: often, so a restarted bridge is found at once. */
    static final Duration RECONNECT_INTERVAL = Duration.ofMillis(5);

    private final List<BusClient> clients = new ArrayList<>();
    private Path root;
    private Path busDirectory;

    /** The path's name as the tests show it ("unix", "tcp"...). */
    abstract String name();

    /** Whether the path goes through a bridge as a byte stream (all but shm). */
    abstract boolean isStream();

    /** Opens a client of this path that tells {@code listener} about disconnects and reconnects. */
    protected abstract BusClient openClient(ConnectionListener listener);

    /**
     * The URI a client in another process connects to, or null where clients cannot be other processes
     * (shm has no bridge; a pipe client is the bridge's own child).
     */
    String processUri() {
        return null;
    }

    /**
     * Why the case named {@code testCase} (its method) cannot hold on this path, or null when it must: the case
     * is then skipped with that reason, not left out.
     */
    String cannotHold(String testCase) {
        return null;
    }

    /** Prepares the path in {@code directory} (fresh per test). */
    void setUp(Path directory) {
        root = directory;
        busDirectory = directory.resolve("bus");
        try {
            Files.createDirectory(busDirectory, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(busDirectory, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The temporary directory of this test. */
    Path root() {
        return root;
    }

    private volatile boolean batching;

    /** The bus directory the topics live in. */
    Path busDirectory() {
        return busDirectory;
    }

    /** A bus context for the bus directory. */
    BusContext busContext() {
        return new BusContext().directory(busDirectory);
    }

    /** Transport settings every client of the tests uses, for {@code uri}. */
    TransportContext transportContext(String uri, ConnectionListener listener) {
        return new TransportContext().uri(uri).busContext(busContext()).connectTimeout(Duration.ofSeconds(5))
            .reconnectInterval(RECONNECT_INTERVAL).connectionListener(listener).batching(batching);
    }

    /** Makes the clients opened from now on batch their publishers' writes ({@code TransportContext.batching}). */
    final void batching(boolean batching) {
        this.batching = batching;
    }

    /** A new client, closed with the fixture. */
    final BusClient client(ConnectionListener listener) {
        BusClient client = openClient(listener);
        synchronized (clients) {
            clients.add(client);
        }
        return client;
    }

    /** A new client with a listener that only records. */
    final BusClient client() {
        return client(new RecordingListener());
    }

    /** Whether an endpoint connects again once a new bridge serves the path (not pipe:, which is handed over once). */
    boolean canReconnect() {
        return isStream();
    }

    /** Connections the churn case makes: 10,000 where a connection is cheap (sockets). */
    int churnConnections() {
        return 10_000;
    }

    /** The bridge serving this path now (stream paths). */
    Bridge bridge() {
        throw new UnsupportedOperationException(name() + " has no bridge");
    }

    /** Closes the bridge, as if its process died (stream paths). */
    void stopBridge() {
        throw new UnsupportedOperationException(name() + " has no bridge");
    }

    /** Starts a new bridge on the same path (stream paths). */
    void startBridge() {
        throw new UnsupportedOperationException(name() + " has no bridge");
    }

    /** Opens raw connections to the bridge, below the client (stream paths). */
    StreamConnector rawConnector() {
        throw new UnsupportedOperationException(name() + " has no bridge");
    }

    /** The bridge's log lines so far (stream paths). */
    List<String> bridgeLog() {
        return List.of();
    }

    @Override
    public void close() {
        List<BusClient> open;
        synchronized (clients) {
            open = new ArrayList<>(clients);
            clients.clear();
        }
        for (BusClient client : open) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
