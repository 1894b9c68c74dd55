package io.ringbus.examples.bench.transport;

import io.ringbus.examples.bench.child.ChildRole;
import io.ringbus.examples.bench.child.ChildRunner;
import io.ringbus.examples.bench.child.SpinGuard;

/**
 * Entry point of the child JVMs of {@code bus bench transport}: the ringbus endpoints on each path
 * ({@link TopicEndpoints}), the shared-memory end ({@link ShmPeer}), the bridge ({@link BridgeHost}) and
 * the raw channel's peers, run by {@link ChildRunner}.
 */
public final class TransportRoles {
    private TransportRoles() {
    }

    /** {@code TransportRoles <role> <timeoutMillis> <role arguments...>}. */
    public static void main(String[] args) {
        ChildRunner.run(args, TransportRoles::create);
    }

    static ChildRole create(String role, String[] args, SpinGuard guard) throws Exception {
        return switch (role) {
            case TopicEndpoints.PING_ROLE -> new TopicEndpoints.Ping(args, guard);
            case TopicEndpoints.PUBLISHER_ROLE -> TopicEndpoints.Producer.client(args, guard);
            case TopicEndpoints.SUBSCRIBER_ROLE -> TopicEndpoints.Consumer.client(args, guard);
            case ShmPeer.ROLE -> ShmPeer.standalone(args, guard);
            case BridgeHost.ROLE -> new BridgeHost(args, guard);
            case RawPingPong.PING_ROLE -> new RawPingPong.Ping(args, guard);
            case RawPingPong.PONG_ROLE -> new RawPingPong.Pong(args, guard);
            case RawThroughput.WRITER_ROLE -> new RawThroughput.Writer(args, guard);
            case RawThroughput.READER_ROLE -> new RawThroughput.Reader(args, guard);
            case RawStaged.READER_ROLE -> new RawStaged.Reader(args, guard);
            case RawStaged.WRITER_ROLE -> new RawStaged.Writer(args, guard);
            case RawStaged.PONG_ROLE -> new RawStaged.Pong(args, guard);
            default -> throw new IllegalArgumentException("unknown role '" + role + "'");
        };
    }
}
