package io.ringbus.examples.bench.ring;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.Subscriber;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.examples.bench.child.ChildRole;
import io.ringbus.examples.bench.child.ChildRunner;
import io.ringbus.examples.bench.child.PingLoop;
import io.ringbus.examples.bench.child.SpinGuard;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The public-API side of {@link PingPongLatency}: two topics of one bus, {@code ping} and {@code pong},
 * each single-producer, written with {@link Publisher#offer} and read with {@link Subscriber#poll}
 * (see {@link BusEndpoints}). Arguments of both roles: the bus's ({@link BusEndpoints#ARGS}), then
 * {@code [<message length>]}. A ping whose sequence is {@link #STOP} ends the pong's run.
 */
final class BusPingPong {
    static final String PING_ROLE = "bus-ping";
    static final String PONG_ROLE = "bus-pong";
    static final long STOP = -1;

    private BusPingPong() {
    }

    /** Offers a ping, polls for its echo and copies the echo out. */
    static final class Ping extends PingLoop implements MessageHandler {
        private final Bus bus;
        private final Publisher publisher;
        private final Subscriber subscriber;
        private final int length;
        private final MemorySegment payload;
        private final MemorySegment copy;
        private long echoed;

        Ping(String[] args, SpinGuard guard) {
            super(guard);
            this.length = BusEndpoints.intArg(args, 0, PingPongLatency.MESSAGE_LENGTH);
            this.payload = Arena.global().allocate(length, 64);
            this.copy = Arena.global().allocate(length, 64);
            this.bus = BusEndpoints.open(args);
            this.subscriber = bus.newSubscriber("pong", BusEndpoints.topicConfig(args),
                BusEndpoints.subscriberConfig());
            this.publisher = bus.newPublisher("ping", BusEndpoints.topicConfig(args));
        }

        @Override
        protected long roundTrip(long sequence) {
            payload.set(ValueLayout.JAVA_LONG, 0, sequence);
            while (publisher.offer(payload, 0, length) < 0) {
                guard.spin();
            }
            while (subscriber.poll(this, 1) == 0) {
                guard.spin();
            }
            return echoed;
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            MemorySegment.copy(buffer, offset, copy, 0, length);
            echoed = copy.get(ValueLayout.JAVA_LONG, 0);
        }

        @Override
        protected void sendStop() {
            payload.set(ValueLayout.JAVA_LONG, 0, STOP);
            while (publisher.offer(payload, 0, length) < 0) {
                guard.spin();
            }
        }

        @Override
        public void close() {
            bus.close();
        }
    }

    /** Echoes every ping, payload and all, straight from one topic's ring into the other's. */
    static final class Pong implements ChildRole, MessageHandler {
        private final Bus bus;
        private final Subscriber subscriber;
        private final Publisher publisher;
        private final SpinGuard guard;
        private boolean stopped;

        Pong(String[] args, SpinGuard guard) {
            this.guard = guard;
            this.bus = BusEndpoints.open(args);
            this.subscriber = bus.newSubscriber("ping", BusEndpoints.topicConfig(args),
                BusEndpoints.subscriberConfig());
            this.publisher = bus.newPublisher("pong", BusEndpoints.topicConfig(args));
        }

        @Override
        public void execute(String[] command) {
            stopped = false;
            while (!stopped) {
                if (subscriber.poll(this, PingLoop.POLL_LIMIT) == 0) {
                    guard.spin();
                }
            }
            ChildRunner.reply("DONE");
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            if (buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset) == STOP) {
                stopped = true;
                return;
            }
            while (publisher.offer(buffer, offset, length) < 0) {
                guard.spin();
            }
        }

        @Override
        public void close() {
            bus.close();
        }
    }
}
