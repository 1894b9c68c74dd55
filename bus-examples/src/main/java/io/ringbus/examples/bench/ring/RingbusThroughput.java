package io.ringbus.examples.bench.ring;

import io.ringbus.core.ring.MessageHandler;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.child.PublisherLoop;
import io.ringbus.examples.bench.child.SpinGuard;
import io.ringbus.examples.bench.child.SubscriberLoop;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * The ringbus side of {@link OneToOneThroughput}, {@link ManyToOneThroughput} and {@link OneToManyThroughput}:
 * one ring file,
 * single-producer or many-producer as its creator formatted it.
 */
final class RingbusThroughput {
    static final String PUBLISHER_ROLE = "ringbus-publisher";
    static final String SUBSCRIBER_ROLE = "ringbus-subscriber";

    private RingbusThroughput() {
    }

    /** Arguments: {@code <ring file> <publisher id> [<message length>]}. Copies each message in with {@code offer}. */
    static final class Publisher extends PublisherLoop {
        private final Arena arena = Arena.ofShared();
        private final RingWriter writer;
        private final int length;
        private final MemorySegment payload;

        Publisher(String[] args, SpinGuard guard) throws Exception {
            super(guard);
            this.length = ThroughputHarness.length(args, 2);
            this.payload = Arena.global().allocate(length, 64);
            this.writer = Ring.wrap(BenchFiles.mapSegment(Path.of(args[0]), arena)).newWriter();
            payload.set(ValueLayout.JAVA_INT, PUBLISHER_OFFSET, Integer.parseInt(args[1]));
        }

        @Override
        protected boolean offer(long sequence) {
            payload.set(ValueLayout.JAVA_LONG, SEQUENCE_OFFSET, sequence);
            return writer.offer(ThroughputHarness.MESSAGE_TYPE, payload, 0, length) >= 0;
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    /**
     * Arguments: {@code <ring file> <publishers> [<message length>]}. Joins the ring (a cursor of its own)
     * before it says READY; several subscribers on one ring each get every message.
     */
    static final class Subscriber extends SubscriberLoop implements MessageHandler {
        private final Arena arena = Arena.ofShared();
        private final RingReader reader;
        private final MemorySegment copy;

        Subscriber(String[] args, SpinGuard guard) throws Exception {
            super(guard, Integer.parseInt(args[1]));
            this.copy = Arena.global().allocate(ThroughputHarness.length(args, 2), 64);
            this.reader = Ring.wrap(BenchFiles.mapSegment(Path.of(args[0]), arena)).newReader();
        }

        @Override
        protected int poll() {
            return reader.poll(this, POLL_LIMIT);
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            MemorySegment.copy(buffer, offset, copy, 0, length);
            received(copy.get(ValueLayout.JAVA_LONG, PublisherLoop.SEQUENCE_OFFSET),
                copy.get(ValueLayout.JAVA_INT, PublisherLoop.PUBLISHER_OFFSET));
        }

        @Override
        public void close() {
            reader.close();
            arena.close();
        }
    }
}
