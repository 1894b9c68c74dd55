package io.ringbus.examples.bench.transport;

import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.child.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ringbus processes of one {@link TransportVariant}, as both harnesses start them: for a stream
 * path a {@link BridgeHost} JVM serving the path (the {@link ShmPeer} inside it, or in a JVM of its
 * own), for {@code shm:} a peer JVM alone; then the harness's client JVMs ({@link #startClient}).
 * Also says where the variant's raw peer listens, beside the bridge.
 */
final class RingbusSide {
    private final ChildJvm bridge;
    private final ChildJvm peer;
    private final EndpointSpec client;
    private final Path channels;
    private final List<ChildJvm> clients = new ArrayList<>();

    private RingbusSide(ChildJvm bridge, ChildJvm peer, EndpointSpec client, Path channels) {
        this.bridge = bridge;
        this.peer = peer;
        this.client = client;
        this.channels = channels;
    }

    /**
     * Starts the bridge (or, for shm, the peer), adding each JVM to {@code children}, and waits until
     * the bridge listens (not until everyone is READY: {@link #awaitReady} does that).
     */
    static RingbusSide start(TransportVariant variant, String purpose, TransportOptions options, BenchFiles files,
        List<ChildJvm> children) {
        String name = variant.fileName() + "-" + options.size() + "-" + purpose;
        Path bus = files.directory(name + "-bus");
        EndpointSpec spec = new EndpointSpec("shm:", bus, variant.waitMode(), options.size(), options.capacity());
        if (!variant.via().isStream()) {
            return new RingbusSide(null, start(children, name + "-peer", ShmPeer.ROLE, spec.args(), options), spec,
                null);
        }
        Path channels = files.directory(name + "-chan");
        String listen = switch (variant.via()) {
            case UNIX -> "unix:" + channels.resolve("bridge.sock");
            case TCP -> "tcp://127.0.0.1:0";
            case FIFO -> "fifo:" + channels.resolve("bridge");
            // Queue names are global: the bench's pid and a count keep them apart.
            case MQ -> "mq:/rb-bench-" + ProcessHandle.current().pid() + "-" + MQ_NAMES.incrementAndGet();
            case PIPE -> "pipe:" + channels;
            case SHM -> throw new IllegalStateException("shm has no bridge");
        };
        List<String> args = new ArrayList<>(spec.withUri(listen).args());
        args.add(options.bridgeWakeup().label());
        args.add(variant.peerAt() == TransportVariant.PeerAt.BRIDGE ? "peer" : "none");
        ChildJvm bridge = start(children, name + "-bridge", BridgeHost.ROLE, args, options);
        String bound = listening(bridge, options);
        ChildJvm peer = bridge;
        if (variant.peerAt() == TransportVariant.PeerAt.PROCESS) {
            peer = start(children, name + "-peer", ShmPeer.ROLE, spec.args(), options);
        }
        return new RingbusSide(bridge, peer, spec.withUri(bound), channels);
    }

    /** The JVM that answers {@code PONG}, {@code CONSUME} and {@code PRODUCE}. */
    ChildJvm peer() {
        return peer;
    }

    /** Starts a client JVM in {@code role} ({@link TopicEndpoints}) on this side's path. */
    ChildJvm startClient(List<ChildJvm> children, String label, String role, TransportOptions options) {
        ChildJvm started = start(children, label, role, client.args(), options);
        clients.add(started);
        return started;
    }

    private static final AtomicInteger MQ_NAMES = new AtomicInteger();

    /** Where a raw peer of this variant listens: beside the bridge's socket or FIFOs, or any loopback port. */
    String rawListenUri() {
        return rawListenUri(null);
    }

    /**
     * Where the raw peer named {@code name} listens, apart from the plain raw peer ({@code null}) and from
     * every other name: a socket or FIFO directory of its own, a queue name of its own, any loopback port.
     */
    String rawListenUri(String name) {
        if (client.uri().startsWith("tcp:")) {
            return "tcp://127.0.0.1:0";
        }
        if (client.uri().startsWith("mq:")) {
            return client.uri() + "-raw" + (name == null ? "" : "-" + name);
        }
        if (client.uri().startsWith("unix:")) {
            return "unix:" + channels.resolve(name == null ? "raw.sock" : name + ".sock");
        }
        if (name == null) {
            return "fifo:" + channels;
        }
        try {
            return "fifo:" + Files.createDirectories(channels.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + channels.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits until every child said READY. On the pipe path a client first names each pipe pair it
     * made ({@code PIPE NAME}); the bridge is told to serve it before the client can go on.
     */
    void awaitReady(List<ChildJvm> children, TransportOptions options) {
        for (ChildJvm child : children) {
            if (!client.isPipe() || !clients.contains(child)) {
                child.await("READY", options.stepTimeout());
                continue;
            }
            while (true) {
                String line = child.awaitAny(options.stepTimeout(), "PIPE ", "READY");
                if (line.startsWith("READY")) {
                    break;
                }
                bridge.send("SERVE " + line.substring("PIPE ".length()).trim());
                bridge.await("SERVED", options.stepTimeout());
            }
        }
    }

    static ChildJvm start(List<ChildJvm> children, String label, String role, List<String> args,
        TransportOptions options) {
        return start(children, label, role, List.of(), args, options);
    }

    /** Starts a child with {@code flags} for its JVM alone (Agrona's add-exports for the three-stage peers). */
    static ChildJvm start(List<ChildJvm> children, String label, String role, List<String> flags, List<String> args,
        TransportOptions options) {
        ChildJvm child = ChildJvm.start(label, TransportRoles.class, flags, role, options.stepTimeout(), args);
        children.add(child);
        return child;
    }

    /** Waits for the child's {@code LISTENING <uri>} line and returns the URI. */
    static String listening(ChildJvm child, TransportOptions options) {
        return child.await("LISTENING", options.stepTimeout()).substring("LISTENING".length()).trim();
    }
}
