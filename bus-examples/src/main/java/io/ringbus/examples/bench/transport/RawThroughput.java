package io.ringbus.examples.bench.transport;

import io.ringbus.examples.bench.child.PublisherLoop;
import io.ringbus.examples.bench.child.SpinGuard;
import io.ringbus.examples.bench.child.SubscriberLoop;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The raw peer of {@link TransportThroughput}: messages batched by hand into large writes on a
 * {@link RawChannel}, and parsed back out by the reader.
 *
 * <pre>
 *   raw writer JVM                                              raw reader JVM
 *   +-------------------------+   64 KiB writes   +---------+   reads into 64 KiB   +----------------------+
 *   | frame seq 0 .. n-1 into | ----------------> | socket  | --------------------> | parse frames, copy   |
 *   | a 64 KiB buffer; write  |                   | or pipe |                       | out, check seq, time |
 *   | it when full, and last  |                   +---------+                       | first .. last        |
 *   +-------------------------+                                                     +----------------------+
 * </pre>
 *
 * <p>Each message is framed as ringbus frames it, an 8-byte header (length and type, little-endian)
 * and the payload, so both sides move the same bytes. Roles {@code raw-reader} (arguments
 * {@code <listen uri> <wait> <size>}; replies {@code LISTENING}, waits for the writer before
 * {@code READY}) and {@code raw-writer} (arguments {@code <uri> <wait> <size>}).
 */
final class RawThroughput {
    static final String WRITER_ROLE = "raw-writer";
    static final String READER_ROLE = "raw-reader";
    /** Size of the frame header: the same as a ringbus frame's. */
    static final int HEADER_LENGTH = 8;
    /** The batch: bytes gathered before one write, and read at most at once. */
    static final int BATCH_BYTES = 64 * 1024;

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private RawThroughput() {
    }

    private static int batchBytes(int size) {
        return Math.max(BATCH_BYTES, HEADER_LENGTH + size);
    }

    /** Frames each message into the batch buffer (copying its payload in), writes the batch when full. */
    static final class Writer extends PublisherLoop {
        private final RawChannel channel;
        private final int size;
        private final ByteBuffer batch;
        private final MemorySegment batchSegment;
        private final MemorySegment payload;

        Writer(String[] args, SpinGuard guard) throws IOException {
            super(guard);
            this.size = Integer.parseInt(args[2]);
            this.batch = ByteBuffer.allocateDirect(batchBytes(size)).order(ByteOrder.LITTLE_ENDIAN);
            this.batchSegment = MemorySegment.ofBuffer(batch);
            this.payload = Arena.global().allocate(size, 64);
            this.channel = RawChannel.connect(args[0], TransportWait.parse(args[1]));
        }

        @Override
        protected boolean offer(long sequence) {
            if (batch.remaining() < HEADER_LENGTH + size) {
                flush();
            }
            int at = batch.position();
            payload.set(ValueLayout.JAVA_LONG, SEQUENCE_OFFSET, sequence);
            batchSegment.set(INT_LE, at, size);
            batchSegment.set(INT_LE, at + 4, 0);
            MemorySegment.copy(payload, 0, batchSegment, at + HEADER_LENGTH, size);
            batch.position(at + HEADER_LENGTH + size);
            return true;
        }

        @Override
        protected void finish() {
            flush();
        }

        private void flush() {
            batch.flip();
            channel.writeFully(batch, guard);
            batch.clear();
        }

        @Override
        public void close() {
            channel.close();
        }
    }

    /** Reads into the batch buffer, parses whole frames, copies each payload out, keeps a partial frame. */
    static final class Reader extends SubscriberLoop {
        private final RawChannel channel;
        private final ByteBuffer batch;
        private final MemorySegment batchSegment;
        private final MemorySegment copy;

        Reader(String[] args, SpinGuard guard) throws IOException {
            super(guard, 1);
            int size = Integer.parseInt(args[2]);
            this.batch = ByteBuffer.allocateDirect(batchBytes(size)).order(ByteOrder.LITTLE_ENDIAN);
            this.batchSegment = MemorySegment.ofBuffer(batch);
            this.copy = Arena.global().allocate(size, 64);
            this.channel = RawChannel.accept(args[0], TransportWait.parse(args[1]));
        }

        @Override
        protected int poll() {
            if (channel.read(batch) == 0) {
                return 0;
            }
            int end = batch.position();
            int at = 0;
            int messages = 0;
            while (end - at >= HEADER_LENGTH) {
                int length = batchSegment.get(INT_LE, at);
                if (length < 0 || length > copy.byteSize()) {
                    throw new IllegalStateException("raw frame of " + length + " bytes; the stream is corrupt");
                }
                if (end - at < HEADER_LENGTH + length) {
                    break;
                }
                MemorySegment.copy(batchSegment, at + HEADER_LENGTH, copy, 0, length);
                received(copy.get(ValueLayout.JAVA_LONG, PublisherLoop.SEQUENCE_OFFSET),
                    copy.get(ValueLayout.JAVA_INT, PublisherLoop.PUBLISHER_OFFSET));
                at += HEADER_LENGTH + length;
                messages++;
            }
            batch.limit(end).position(at);
            batch.compact();
            return messages;
        }

        @Override
        public void close() {
            channel.close();
        }
    }
}
