package io.ringbus.examples.bench.transport;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.Subscriber;
import io.ringbus.core.TopicConfig;
import io.ringbus.examples.bench.child.ChildRole;
import io.ringbus.examples.bench.child.SpinGuard;

/**
 * The shared-memory end of every {@code bus bench transport} measurement: echoes round trips,
 * consumes what clients publish, produces what clients subscribe to, all on the bus's topics. It
 * runs inside the bridge's JVM ({@link BridgeHost}) or in a JVM of its own (role
 * {@code transport-peer}, arguments {@link EndpointSpec} with URI {@code shm:}).
 *
 * <pre>
 *   topic "ping" ──▶ pong ──▶ topic "pong"       PONG       echoes until the stop message, DONE
 *   topic "up"   ──▶ consumer                    CONSUME n  ARMED, then RESULT (first to last message)
 *   producer     ──▶ topic "down"                PRODUCE n  DONE nanos=.. alloc=..
 * </pre>
 *
 * <p>Every subscriber joins before the peer says READY, so nothing a client sends after it can be missed.
 */
final class ShmPeer implements ChildRole {
    static final String ROLE = "transport-peer";

    private final Bus bus;
    private final boolean ownsBus;
    private final TopicEndpoints.Pong pong;
    private final TopicEndpoints.Consumer consumer;
    private final TopicEndpoints.Producer producer;

    ShmPeer(Bus bus, boolean ownsBus, EndpointSpec spec, SpinGuard guard) {
        this.bus = bus;
        this.ownsBus = ownsBus;
        TopicConfig topic = spec.topicConfig();
        Subscriber pings = bus.newSubscriber(EndpointSpec.PING, topic, spec.waitMode().subscriberConfig());
        Publisher echoes = bus.newPublisher(EndpointSpec.PONG, topic);
        this.pong = new TopicEndpoints.Pong(pings, echoes, spec.waitMode(), guard);
        this.consumer = new TopicEndpoints.Consumer(
            bus.newSubscriber(EndpointSpec.UP, topic, spec.waitMode().subscriberConfig()), null, spec, guard);
        this.producer = new TopicEndpoints.Producer(bus.newPublisher(EndpointSpec.DOWN, topic), null, spec, guard);
    }

    /** The peer in a JVM of its own, on its own {@link Bus}. */
    static ShmPeer standalone(String[] args, SpinGuard guard) {
        EndpointSpec spec = EndpointSpec.parse(args, 0);
        Bus bus = Bus.open(spec.busContext());
        try {
            return new ShmPeer(bus, true, spec, guard);
        } catch (RuntimeException e) {
            bus.close();
            throw e;
        }
    }

    @Override
    public void execute(String[] command) {
        switch (command[0]) {
            case "PONG" -> pong.run();
            case "CONSUME" -> consumer.execute(command);
            case "PRODUCE" -> producer.execute(command);
            default -> throw new IllegalArgumentException("the shm peer has no command '" + command[0] + "'");
        }
    }

    @Override
    public void close() {
        pong.close();
        consumer.close();
        producer.close();
        if (ownsBus) {
            bus.close();
        }
    }
}
