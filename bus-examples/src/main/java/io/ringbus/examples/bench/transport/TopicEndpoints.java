package io.ringbus.examples.bench.transport;

import io.ringbus.core.Publisher;
import io.ringbus.core.Subscriber;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.examples.bench.child.ChildRunner;
import io.ringbus.examples.bench.child.PingLoop;
import io.ringbus.examples.bench.child.PublisherLoop;
import io.ringbus.examples.bench.child.SpinGuard;
import io.ringbus.examples.bench.child.SubscriberLoop;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.agrona.concurrent.IdleStrategy;

/**
 * The ringbus endpoints of {@code bus bench transport}, written once against {@link Publisher} and
 * {@link Subscriber} so that the same code runs on every path: over a bridge ({@code unix:},
 * {@code tcp://}) in a client JVM, or on the bus itself ({@code shm:}) in a client JVM, in the
 * bridge's JVM or in a peer JVM ({@link ShmPeer}).
 */
final class TopicEndpoints {
    static final String PING_ROLE = "transport-ping";
    static final String PUBLISHER_ROLE = "transport-publisher";
    static final String SUBSCRIBER_ROLE = "transport-subscriber";

    private TopicEndpoints() {
    }

    /**
     * Role {@code transport-ping}, arguments {@link EndpointSpec}: publishes pings to
     * {@link EndpointSpec#PING} and waits for each echo on {@link EndpointSpec#PONG}, copying it out.
     */
    static final class Ping extends PingLoop implements MessageHandler {
        private final EndpointClients clients;
        private final Publisher publisher;
        private final Subscriber subscriber;
        private final int size;
        private final MemorySegment payload;
        private final MemorySegment copy;
        private long echoed;

        Ping(String[] args, SpinGuard guard) {
            super(guard);
            EndpointSpec spec = EndpointSpec.parse(args, 0);
            this.size = spec.size();
            this.payload = Arena.global().allocate(size, 64);
            this.copy = Arena.global().allocate(size, 64);
            this.clients = new EndpointClients(spec);
            try {
                // Subscribe first: the echo of the first ping must find this subscriber in place.
                this.subscriber = clients.subscriber(EndpointSpec.PONG);
                this.publisher = clients.publisher(EndpointSpec.PING);
            } catch (RuntimeException e) {
                clients.close();
                throw e;
            }
        }

        @Override
        protected long roundTrip(long sequence) {
            payload.set(ValueLayout.JAVA_LONG, 0, sequence);
            while (publisher.offer(payload, 0, size) < 0) {
                guard.spin();
            }
            while (subscriber.await(this, 1, EndpointSpec.AWAIT_SLICE_NANOS) == 0) {
                guard.checkNow();
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
            payload.set(ValueLayout.JAVA_LONG, 0, EndpointSpec.STOP);
            while (publisher.offer(payload, 0, size) < 0) {
                guard.spin();
            }
        }

        @Override
        public void close() {
            clients.close();
        }
    }

    /**
     * Echoes pings, the whole payload straight from the message it received, until the stop message;
     * then replies {@code DONE}. Runs in an {@link ShmPeer}.
     */
    static final class Pong implements MessageHandler {
        private final Subscriber subscriber;
        private final Publisher publisher;
        private final IdleStrategy idle;
        private final SpinGuard guard;
        private boolean stopped;

        Pong(Subscriber subscriber, Publisher publisher, TransportWait wait, SpinGuard guard) {
            this.subscriber = subscriber;
            this.publisher = publisher;
            this.idle = wait.newPublisherIdle();
            this.guard = guard;
        }

        void run() {
            stopped = false;
            while (!stopped) {
                if (subscriber.await(this, PingLoop.POLL_LIMIT, EndpointSpec.AWAIT_SLICE_NANOS) == 0) {
                    guard.checkNow();
                }
            }
            ChildRunner.reply("DONE");
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            if (buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset) == EndpointSpec.STOP) {
                stopped = true;
                return;
            }
            idle.reset();
            while (publisher.offer(buffer, offset, length) < 0) {
                idle.idle();
                guard.spin();
            }
        }

        void close() {
            closeQuietly(subscriber);
            closeQuietly(publisher);
        }
    }

    /**
     * Offers {@code n} messages as fast as the publisher takes them ({@link PublisherLoop}), idling
     * as the {@link TransportWait} says after a refusal. Role {@code transport-publisher} (arguments
     * {@link EndpointSpec}, publishes to {@link EndpointSpec#UP}), and the producer of an
     * {@link ShmPeer}.
     */
    static final class Producer extends PublisherLoop {
        private final AutoCloseable owner;
        private final Publisher publisher;
        private final IdleStrategy idle;
        private final int size;
        private final MemorySegment payload;
        private boolean refused;

        Producer(Publisher publisher, AutoCloseable owner, EndpointSpec spec, SpinGuard guard) {
            super(guard);
            this.publisher = publisher;
            this.owner = owner;
            this.idle = spec.waitMode().newPublisherIdle();
            this.size = spec.size();
            this.payload = Arena.global().allocate(size, 64);
        }

        static Producer client(String[] args, SpinGuard guard) {
            EndpointSpec spec = EndpointSpec.parse(args, 0);
            EndpointClients clients = new EndpointClients(spec, true); // throughput: publishers batch
            try {
                return new Producer(clients.publisher(EndpointSpec.UP), clients, spec, guard);
            } catch (RuntimeException e) {
                clients.close();
                throw e;
            }
        }

        @Override
        protected boolean offer(long sequence) {
            payload.set(ValueLayout.JAVA_LONG, SEQUENCE_OFFSET, sequence);
            if (publisher.offer(payload, 0, size) >= 0) {
                if (refused) {
                    refused = false;
                    idle.reset();
                }
                return true;
            }
            refused = true;
            return false;
        }

        @Override
        protected void idle() {
            idle.idle();
            guard.spin();
        }

        @Override
        public void close() {
            closeQuietly(owner != null ? owner : publisher);
        }
    }

    /**
     * Receives {@code n} messages ({@link SubscriberLoop}), each copied out and its sequence checked.
     * Role {@code transport-subscriber} (arguments {@link EndpointSpec}, subscribes to
     * {@link EndpointSpec#DOWN}), and the consumer of an {@link ShmPeer}.
     */
    static final class Consumer extends SubscriberLoop implements MessageHandler {
        private final AutoCloseable owner;
        private final Subscriber subscriber;
        private final MemorySegment copy;

        Consumer(Subscriber subscriber, AutoCloseable owner, EndpointSpec spec, SpinGuard guard) {
            super(guard, 1);
            this.subscriber = subscriber;
            this.owner = owner;
            this.copy = Arena.global().allocate(spec.size(), 64);
        }

        static Consumer client(String[] args, SpinGuard guard) {
            EndpointSpec spec = EndpointSpec.parse(args, 0);
            EndpointClients clients = new EndpointClients(spec);
            try {
                return new Consumer(clients.subscriber(EndpointSpec.DOWN), clients, spec, guard);
            } catch (RuntimeException e) {
                clients.close();
                throw e;
            }
        }

        @Override
        protected int poll() {
            int received = subscriber.await(this, POLL_LIMIT, EndpointSpec.AWAIT_SLICE_NANOS);
            if (received == 0) {
                guard.checkNow();
            }
            return received;
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            MemorySegment.copy(buffer, offset, copy, 0, length);
            received(copy.get(ValueLayout.JAVA_LONG, PublisherLoop.SEQUENCE_OFFSET),
                copy.get(ValueLayout.JAVA_INT, PublisherLoop.PUBLISHER_OFFSET));
        }

        @Override
        public void close() {
            closeQuietly(owner != null ? owner : subscriber);
        }
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            System.err.println("bench: closing " + closeable + " failed: " + e);
        }
    }
}
