package io.ringbus.examples.bench.ring;

import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.child.PublisherLoop;
import io.ringbus.examples.bench.child.SpinGuard;
import io.ringbus.examples.bench.child.SubscriberLoop;
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
 * {@link Peer#AGRONA}'s flags.
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

    /**
     * Arguments: {@code <ring file>[,<ring file>...] <one|many> <publisher id> [<message length>]}. Copies
     * each message in with {@code write}, into every ring given (fan-out over single-consumer rings): a
     * message counts as offered once every ring took it, and a ring that took it is not written again.
     */
    static final class Publisher extends PublisherLoop {
        private final RingBuffer[] rings;
        private final int length;
        private final UnsafeBuffer payload;
        /** The first ring that has not taken the current message yet. */
        private int next;

        Publisher(String[] args, SpinGuard guard) throws Exception {
            super(guard);
            String[] files = args[0].split(",");
            this.rings = new RingBuffer[files.length];
            for (int i = 0; i < files.length; i++) {
                rings[i] = map(files[i], args[1]);
            }
            this.length = ThroughputHarness.length(args, 3);
            this.payload = new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, 64));
            payload.putInt(PUBLISHER_OFFSET, Integer.parseInt(args[2]));
        }

        @Override
        protected boolean offer(long sequence) {
            payload.putLong(SEQUENCE_OFFSET, sequence);
            for (; next < rings.length; next++) {
                if (!rings[next].write(ThroughputHarness.MESSAGE_TYPE, payload, 0, length)) {
                    return false;
                }
            }
            next = 0;
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** Arguments: {@code <ring file> <one|many> <publishers> [<message length>]}. */
    static final class Subscriber extends SubscriberLoop implements MessageHandler {
        private final RingBuffer ring;
        private final UnsafeBuffer copy;

        Subscriber(String[] args, SpinGuard guard) throws Exception {
            super(guard, Integer.parseInt(args[2]));
            this.ring = map(args[0], args[1]);
            this.copy = new UnsafeBuffer(BufferUtil.allocateDirectAligned(ThroughputHarness.length(args, 3), 64));
        }

        @Override
        protected int poll() {
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
