package io.ringbus.examples.bench;

import java.nio.file.Path;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * The Agrona side of {@link OneToOneThroughput} and {@link ManyToOneThroughput}: a
 * {@link OneToOneRingBuffer} or a {@link ManyToOneRingBuffer} on a {@link java.nio.MappedByteBuffer} of
 * one file, wrapped in an {@link UnsafeBuffer}. Runs only in JVMs started with
 * {@link ChildJvm#AGRONA_FLAGS}.
 */
final class AgronaThroughput {
    static final String PUBLISHER_ROLE = "agrona-publisher";
    static final String SUBSCRIBER_ROLE = "agrona-subscriber";

    private AgronaThroughput() {
    }

    /** {@code kind} is {@code one} (OneToOneRingBuffer) or {@code many} (ManyToOneRingBuffer). */
    static RingBuffer map(String file, String kind) throws Exception {
        UnsafeBuffer buffer = new UnsafeBuffer(BenchFiles.mapBuffer(Path.of(file)));
        return switch (kind) {
            case "one" -> new OneToOneRingBuffer(buffer);
            case "many" -> new ManyToOneRingBuffer(buffer);
            default -> throw new IllegalArgumentException("ring kind '" + kind + "' is neither 'one' nor 'many'");
        };
    }

    /** Arguments: {@code <ring file> <one|many> <publisher id>}. Copies each message in with {@code write}. */
    static final class Publisher extends PublisherLoop {
        private final RingBuffer ring;
        private final UnsafeBuffer payload =
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(ThroughputHarness.MESSAGE_LENGTH, 64));

        Publisher(String[] args, SpinGuard guard) throws Exception {
            super(guard);
            this.ring = map(args[0], args[1]);
            payload.putInt(PUBLISHER_OFFSET, Integer.parseInt(args[2]));
        }

        @Override
        boolean offer(long sequence) {
            payload.putLong(SEQUENCE_OFFSET, sequence);
            return ring.write(ThroughputHarness.MESSAGE_TYPE, payload, 0, ThroughputHarness.MESSAGE_LENGTH);
        }

        @Override
        public void close() {
        }
    }

    /** Arguments: {@code <ring file> <one|many> <publishers>}. */
    static final class Subscriber extends SubscriberLoop implements MessageHandler {
        private final RingBuffer ring;
        private final UnsafeBuffer copy =
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(ThroughputHarness.MESSAGE_LENGTH, 64));

        Subscriber(String[] args, SpinGuard guard) throws Exception {
            super(guard, Integer.parseInt(args[2]));
            this.ring = map(args[0], args[1]);
        }

        @Override
        int poll() {
            return ring.read(this, POLL_LIMIT);
        }

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            buffer.getBytes(index, copy, 0, length);
            received(copy.getLong(PublisherLoop.SEQUENCE_OFFSET), copy.getInt(PublisherLoop.PUBLISHER_OFFSET));
        }

        @Override
        public void close() {
        }
    }
}
