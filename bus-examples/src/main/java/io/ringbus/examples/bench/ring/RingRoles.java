package io.ringbus.examples.bench.ring;

import io.ringbus.examples.bench.child.ChildRole;
import io.ringbus.examples.bench.child.ChildRunner;
import io.ringbus.examples.bench.child.SpinGuard;

/**
 * Entry point of the child JVMs of {@code bus bench ring}: the ping, pong, publisher and subscriber
 * of each ring it compares (ringbus's, Agrona's, Chronicle Queue's), run by {@link ChildRunner}.
 */
public final class RingRoles {
    private RingRoles() {
    }

    /** {@code RingRoles <role> <timeoutMillis> <role arguments...>}. */
    public static void main(String[] args) {
        ChildRunner.run(args, RingRoles::create);
    }

    static ChildRole create(String role, String[] args, SpinGuard guard) throws Exception {
        return switch (role) {
            case BusPingPong.PING_ROLE -> new BusPingPong.Ping(args, guard);
            case BusPingPong.PONG_ROLE -> new BusPingPong.Pong(args, guard);
            case BusThroughput.PUBLISHER_ROLE -> new BusThroughput.Publisher(args, guard);
            case BusThroughput.SUBSCRIBER_ROLE -> new BusThroughput.Subscriber(args, guard);
            case RingbusPingPong.PING_ROLE -> new RingbusPingPong.Ping(args, guard);
            case RingbusPingPong.PONG_ROLE -> new RingbusPingPong.Pong(args, guard);
            case AgronaPingPong.PING_ROLE -> new AgronaPingPong.Ping(args, guard);
            case AgronaPingPong.PONG_ROLE -> new AgronaPingPong.Pong(args, guard);
            case ChronicleQueuePeer.PING_ROLE -> new ChronicleQueuePeer.Ping(args, guard);
            case ChronicleQueuePeer.PONG_ROLE -> new ChronicleQueuePeer.Pong(args, guard);
            case ChronicleQueuePeer.PUBLISHER_ROLE -> new ChronicleQueuePeer.Publisher(args, guard);
            case ChronicleQueuePeer.SUBSCRIBER_ROLE -> new ChronicleQueuePeer.Subscriber(args, guard);
            case RingbusThroughput.PUBLISHER_ROLE -> new RingbusThroughput.Publisher(args, guard);
            case RingbusThroughput.SUBSCRIBER_ROLE -> new RingbusThroughput.Subscriber(args, guard);
            case AgronaThroughput.PUBLISHER_ROLE -> new AgronaThroughput.Publisher(args, guard);
            case AgronaThroughput.SUBSCRIBER_ROLE -> new AgronaThroughput.Subscriber(args, guard);
            default -> throw new IllegalArgumentException("unknown role '" + role + "'");
        };
    }
}
