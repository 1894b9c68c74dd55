package io.ringbus.examples.bench.ring;

import io.ringbus.core.Bus;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.examples.bench.child.PublisherLoop;
import io.ringbus.examples.bench.child.SpinGuard;
import io.ringbus.examples.bench.child.SubscriberLoop;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The public-API side of {@link OneToOneThroughput}, {@link ManyToOneThroughput} and
 * {@link OneToManyThroughput}: topic {@code throughput} of one bus, written with
 * {@link io.ringbus.core.Publisher#offer} and read with {@link io.ringbus.core.Subscriber#poll} (see
 * {@link BusEndpoints} for the settings).
 */
final class BusThroughput {
    static final String PUBLISHER_ROLE = "bus-publisher";
    static final String SUBSCRIBER_ROLE = "bus-subscriber";
    static final String TOPIC = "throughput";

    private BusThroughput() {
    }

    /**
     * Arguments: the bus's ({@link BusEndpoints#ARGS}), then {@code <publisher id> [<message length>]}.
     * Copies each message in with {@code offer}.
     */
    static final class Publisher extends PublisherLoop {
        private final Bus bus;
        private final io.ringbus.core.Publisher publisher;
        private final int length;
        private final MemorySegment payload;

        Publisher(String[] args, SpinGuard guard) {
            super(guard);
            this.length = BusEndpoints.intArg(args, 1, ThroughputHarness.MESSAGE_LENGTH);
            this.payload = Arena.global().allocate(length, 64);
            payload.set(ValueLayout.JAVA_INT, PUBLISHER_OFFSET, BusEndpoints.intArg(args, 0, 0));
            this.bus = BusEndpoints.open(args);
            this.publisher = bus.newPublisher(TOPIC, BusEndpoints.topicConfig(args));
        }

        @Override
        protected boolean offer(long sequence) {
            payload.set(ValueLayout.JAVA_LONG, SEQUENCE_OFFSET, sequence);
            return publisher.offer(payload, 0, length) >= 0;
        }

        @Override
        public void close() {
            bus.close();
        }
    }

    /**
     * Arguments: the bus's ({@link BusEndpoints#ARGS}), then {@code [<message length>]}. Subscribes
     * before it says READY; several subscribers of the topic each get every message.
     */
    static final class Subscriber extends SubscriberLoop implements MessageHandler {
        private final Bus bus;
        private final io.ringbus.core.Subscriber subscriber;
        private final MemorySegment copy;

        Subscriber(String[] args, SpinGuard guard) {
            super(guard, Integer.parseInt(args[3]));
            this.copy = Arena.global().allocate(BusEndpoints.intArg(args, 0, ThroughputHarness.MESSAGE_LENGTH), 64);
            this.bus = BusEndpoints.open(args);
            this.subscriber = bus.newSubscriber(TOPIC, BusEndpoints.topicConfig(args), BusEndpoints.subscriberConfig());
        }

        @Override
        protected int poll() {
            return subscriber.poll(this, POLL_LIMIT);
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            MemorySegment.copy(buffer, offset, copy, 0, length);
            received(copy.get(ValueLayout.JAVA_LONG, PublisherLoop.SEQUENCE_OFFSET),
                copy.get(ValueLayout.JAVA_INT, PublisherLoop.PUBLISHER_OFFSET));
        }

        @Override
        public void close() {
            bus.close();
        }
    }
}
