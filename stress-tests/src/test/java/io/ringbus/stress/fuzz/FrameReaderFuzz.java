package io.ringbus.stress.fuzz;

import io.ringbus.transport.frame.FrameDescriptor;
import io.ringbus.transport.frame.FrameReader;
import io.ringbus.transport.frame.Hello;
import io.ringbus.transport.stream.ByteStream;
import java.nio.ByteBuffer;

/**
 * Frame decoding under fuzz: bus-transport's {@link FrameReader} (and {@link Hello#parse} for hello
 * payloads) reads damaged frame streams delivered in random chunks, as a pipe or socket would. Every
 * frame it yields must lie inside its buffer and within the limit for its type; everything else must
 * be a typed rejection.
 */
final class FrameReaderFuzz extends FrameStreamFuzz {
    @Override
    public String name() {
        return "frame-stream";
    }

    @Override
    void decode(FuzzInput in, byte[] stream) {
        FrameReader reader = new FrameReader(MAX_PAYLOAD);
        ChunkedStream source = new ChunkedStream(in, stream);
        int reads = 0;
        while (true) {
            int read = reader.fill(source);
            if (++reads > 4 * stream.length + 16) {
                throw new AssertionError("the reader made no progress after " + reads + " reads");
            }
            while (reader.next()) {
                check(reader);
            }
            if (read < 0) {
                return;
            }
        }
    }

    private static void check(FrameReader reader) {
        int limit = FrameDescriptor.isMessage(reader.type()) ? MAX_PAYLOAD : FrameDescriptor.MAX_CONTROL_LENGTH;
        if (reader.payloadLength() < 0 || reader.payloadLength() > limit) {
            throw new AssertionError("a frame of " + reader.payloadLength() + " bytes passed the limit " + limit);
        }
        if (reader.payloadOffset() < FrameDescriptor.HEADER_LENGTH
            || reader.payloadOffset() + reader.payloadLength() > reader.segment().byteSize()) {
            throw new AssertionError("a frame at " + reader.payloadOffset() + " runs out of the buffer");
        }
        if (reader.type() == FrameDescriptor.HELLO) {
            Hello.parse(reader.payloadText()); // a typed MalformedFrameException or a hello
        }
    }

    /** Hands out the bytes in chunks of the fuzzer's choosing, then end of stream. */
    private static final class ChunkedStream implements ByteStream {
        private final FuzzInput in;
        private final byte[] bytes;
        private int position;

        ChunkedStream(FuzzInput in, byte[] bytes) {
            this.in = in;
            this.bytes = bytes;
        }

        @Override
        public int read(ByteBuffer destination) {
            if (position == bytes.length) {
                return -1;
            }
            int length = Math.min(destination.remaining(), chunk(in, bytes.length - position));
            destination.put(bytes, position, length);
            position += length;
            return length;
        }

        @Override
        public boolean peerClosed() {
            return position == bytes.length;
        }

        @Override
        public int write(ByteBuffer source) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean awaitReadable(long timeoutNanos) {
            return true;
        }

        @Override
        public boolean awaitWritable(long timeoutNanos) {
            return true;
        }

        @Override
        public String describe() {
            return "fuzzed bytes";
        }

        @Override
        public void close() {
        }
    }
}
