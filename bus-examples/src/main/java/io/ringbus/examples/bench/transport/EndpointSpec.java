package io.ringbus.examples.bench.transport;

import io.ringbus.core.BusContext;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.BusClients;
import io.ringbus.transport.TransportContext;
import java.nio.file.Path;
import java.util.List;

/**
 * What every ringbus child of {@code bus bench transport} is told, as its arguments
 * {@code <uri> <bus dir> <wait> <size> <capacity>}: the path its endpoints take ({@code shm:}, a
 * bridge's URI, or {@code pipe:DIR} for pipe pairs made in DIR, see {@link EndpointClients}), the bus
 * directory ({@code shm:} only), how it waits, the message size and the ring capacity of every topic.
 *
 * <p>The four topics of a run: {@link #PING} and {@link #PONG} for round trips, {@link #UP} (client
 * publishes, the shm peer consumes) and {@link #DOWN} (the shm peer publishes, the client
 * subscribes) for throughput.
 */
record EndpointSpec(String uri, Path busDirectory, TransportWait waitMode, int size, int capacity) {
    static final String PING = "ping";
    static final String PONG = "pong";
    static final String UP = "up";
    static final String DOWN = "down";
    /** The sequence number of the message that ends a pong's run (it is not echoed). */
    static final long STOP = Long.MIN_VALUE;
    /** Longest single wait in {@code Subscriber.await}, between checks of the child's deadline. */
    static final long AWAIT_SLICE_NANOS = 100_000_000L;
    /** Argument count of {@link #parse}. */
    static final int ARGUMENTS = 5;

    static EndpointSpec parse(String[] args, int from) {
        if (args.length < from + ARGUMENTS) {
            throw new IllegalArgumentException("expected <uri> <bus dir> <wait> <size> <capacity>");
        }
        return new EndpointSpec(args[from], Path.of(args[from + 1]), TransportWait.parse(args[from + 2]),
            Integer.parseInt(args[from + 3]), Integer.parseInt(args[from + 4]));
    }

    /** The same spec with another URI (a client of a bridge gets the bridge's bound address). */
    EndpointSpec withUri(String newUri) {
        return new EndpointSpec(newUri, busDirectory, waitMode, size, capacity);
    }

    List<String> args() {
        return List.of(uri, busDirectory.toString(), waitMode.label(), Integer.toString(size),
            Integer.toString(capacity));
    }

    BusContext busContext() {
        return new BusContext().directory(busDirectory);
    }

    /**
     * Whether this is the bench's pipe path: URI {@code pipe:DIR}, where DIR holds the pipe pairs a
     * client makes and its bridge is handed ({@link EndpointClients}).
     */
    boolean isPipe() {
        return uri.startsWith("pipe:");
    }

    /** The directory of the pipe pairs ({@link #isPipe()}). */
    Path pipeDirectory() {
        return Path.of(uri.substring("pipe:".length()));
    }

    /**
     * A client for this spec's path: the bus itself for {@code shm:}, a bridge connection otherwise,
     * whose publishers batch when {@code batching}.
     */
    BusClient openClient(boolean batching) {
        return BusClients.open(new TransportContext().uri(uri).busContext(busContext()).batching(batching));
    }

    TopicConfig topicConfig() {
        return new TopicConfig().capacity(capacity);
    }
}
