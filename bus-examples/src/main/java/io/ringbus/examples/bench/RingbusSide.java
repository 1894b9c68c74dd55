package io.ringbus.examples.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ringbus processes of one {@link TransportVariant}, as both harnesses start them: for a stream
 * path a {@link BridgeHost} JVM listening on the path (the {@link ShmPeer} inside it, or in a JVM of
 * its own), for {@code shm:} a peer JVM alone; clients are started by the harness with
 * {@link #clientArgs()}.
 *
 * @param peer the JVM that answers {@code PONG}, {@code CONSUME} and {@code PRODUCE}
 * @param client what a client JVM is told: the bridge's bound URI, or {@code shm:} and the bus directory
 * @param sockets the directory of this variant's socket files (unix), or null
 */
record RingbusSide(ChildJvm peer, EndpointSpec client, Path sockets) {

    /**
     * Starts the processes, adding each to {@code children}, and waits until the bridge listens (not
     * until everyone is READY: the caller waits for that with its clients).
     */
    static RingbusSide start(TransportVariant variant, String purpose, TransportOptions options, BenchFiles files,
        List<ChildJvm> children) {
        String name = variant.fileName() + "-" + purpose;
        Path bus = files.directory(name + "-bus");
        EndpointSpec spec = new EndpointSpec("shm:", bus, variant.waitMode(), options.size(), options.capacity());
        if (!variant.via().isStream()) {
            return new RingbusSide(start(children, name + "-peer", ShmPeer.ROLE, spec.args(), options), spec, null);
        }
        Path sockets = null;
        String listen;
        if (variant.via() == TransportVariant.Via.UNIX) {
            sockets = files.directory(name + "-sock");
            listen = "unix:" + sockets.resolve("bridge.sock");
        } else {
            listen = "tcp://127.0.0.1:0";
        }
        List<String> args = new ArrayList<>(spec.withUri(listen).args());
        args.add(options.bridgeWakeup().label());
        args.add(variant.peerAt() == TransportVariant.PeerAt.BRIDGE ? "peer" : "none");
        ChildJvm bridge = start(children, name + "-bridge", BridgeHost.ROLE, args, options);
        String bound = listening(bridge, options);
        ChildJvm peer = bridge;
        if (variant.peerAt() == TransportVariant.PeerAt.PROCESS) {
            peer = start(children, name + "-peer", ShmPeer.ROLE, spec.args(), options);
        }
        return new RingbusSide(peer, spec.withUri(bound), sockets);
    }

    /** Arguments of a client JVM ({@link TopicEndpoints}). */
    List<String> clientArgs() {
        return client.args();
    }

    /** Where a raw peer of this variant listens: beside the bridge's socket, or any loopback port. */
    String rawListenUri() {
        return sockets != null ? "unix:" + sockets.resolve("raw.sock") : "tcp://127.0.0.1:0";
    }

    static ChildJvm start(List<ChildJvm> children, String label, String role, List<String> args,
        TransportOptions options) {
        ChildJvm child = ChildJvm.start(label, false, role, options.stepTimeout(), args);
        children.add(child);
        return child;
    }

    /** Waits for the child's {@code LISTENING <uri>} line and returns the URI. */
    static String listening(ChildJvm child, TransportOptions options) {
        return child.await("LISTENING", options.stepTimeout()).substring("LISTENING".length()).trim();
    }

    /** Waits until every child said READY. */
    static void awaitReady(List<ChildJvm> children, TransportOptions options) {
        for (ChildJvm child : children) {
            child.await("READY", options.stepTimeout());
        }
    }
}
