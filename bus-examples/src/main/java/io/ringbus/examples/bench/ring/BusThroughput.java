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
     * Arguments: the bus's ({@link BusEndpoints#ARGS}), then {@code <publisher id> [<message length>
     * [<batch>]]}. Copies each message in with {@code offer}, or, with a batch above 1, gathers that many
     * and copies them in with one {@code offerBatch} (one claim).
     */
    static final class Publisher extends PublisherLoop {
        private final Bus bus;
        private final io.ringbus.core.Publisher publisher;
        private final int length;
        private final MemorySegment payload;
        private final int batch;
        private final int[] lengths;
        private final MemorySegment batchBuffer;
        private int gathered;

        Publisher(String[] args, SpinGuard guard) {
            super(guard);
            this.length = BusEndpoints.intArg(args, 1, ThroughputHarness.MESSAGE_LENGTH);
            this.batch = BusEndpoints.intArg(args, 2, 1);
            this.payload = Arena.global().allocate(length, 64);
            this.lengths = new int[batch];
            java.util.Arrays.fill(lengths, length);
            this.batchBuffer = Arena.global().allocate((long) length * batch, 64);
            int id = BusEndpoints.intArg(args, 0, 0);
            payload.set(ValueLayout.JAVA_INT, PUBLISHER_OFFSET, id);
            for (int i = 0; i < batch; i++) {
                batchBuffer.set(ValueLayout.JAVA_INT, (long) i * length + PUBLISHER_OFFSET, id);
            }
            this.bus = BusEndpoints.open(args);
            this.publisher = bus.newPublisher(TOPIC, BusEndpoints.topicConfig(args));
        }

        @Override
        protected boolean offer(long sequence) {
            if (batch == 1) {
                payload.set(ValueLayout.JAVA_LONG, SEQUENCE_OFFSET, sequence);
                return publisher.offer(payload, 0, length) >= 0;
            }
            // Gathered into the batch buffer; a refused batch is retried with its last message written again.
            batchBuffer.set(ValueLayout.JAVA_LONG, (long) gathered * length + SEQUENCE_OFFSET, sequence);
            if (gathered + 1 < batch) {
                gathered++;
                return true;
            }
            if (publisher.offerBatch(batchBuffer, 0, lengths, batch) < 0) {
                return false;
            }
            gathered = 0;
            return true;
        }

        @Override
        protected void finish() {
            while (gathered > 0 && publisher.offerBatch(batchBuffer, 0, lengths, gathered) < 0) {
                guard.spin();
            }
            gathered = 0;
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
