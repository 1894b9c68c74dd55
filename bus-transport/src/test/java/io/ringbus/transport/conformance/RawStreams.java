package io.ringbus.transport.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringbus.transport.frame.FrameDescriptor;
import io.ringbus.transport.stream.ByteStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** A client below the client library: raw bytes on a stream to the bridge, for bad peers and churn. */
final class RawStreams {
    private RawStreams() {
    }

    /** A frame: length and type (LE), then the payload. */
    static byte[] frame(int type, byte[] payload) {
        return ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH + payload.length).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(payload.length).putInt(type).put(payload).array();
    }

    /** Only a frame header, claiming {@code length} payload bytes. */
    static byte[] header(int type, int length) {
        return ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(length).putInt(type).array();
    }

    /** A HELLO frame with {@code text}. */
    static byte[] hello(String text) {
        return frame(FrameDescriptor.HELLO, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes all of {@code bytes}, waiting for room; a peer gone shows as StreamClosedException. */
    static void write(ByteStream stream, byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + Messages.PATIENCE_NANOS;
        while (buffer.hasRemaining()) {
            if (stream.write(buffer) == 0) {
                if (System.nanoTime() - deadline > 0) {
                    fail("the bridge took no bytes for " + Messages.PATIENCE_NANOS / 1_000_000_000L + " s");
                }
                stream.awaitWritable(10_000_000L);
            }
        }
    }

    /** Reads exactly one frame (header and payload) and returns its type; fails on end of stream. */
    static int readFrame(ByteStream stream) {
        ByteBuffer header = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        readFully(stream, header);
        int length = header.getInt(FrameDescriptor.LENGTH_OFFSET);
        readFully(stream, ByteBuffer.allocate(length));
        return header.getInt(FrameDescriptor.TYPE_OFFSET);
    }

    /** Sends {@code hello} and expects WELCOME. */
    static void handshake(ByteStream stream, String hello) {
        write(stream, hello(hello));
        assertEquals(FrameDescriptor.WELCOME, readFrame(stream), "answer to '" + hello + "'");
    }

    private static void readFully(ByteStream stream, ByteBuffer into) {
        long deadline = System.nanoTime() + Messages.PATIENCE_NANOS;
        while (into.hasRemaining()) {
            int read = stream.read(into);
            if (read < 0) {
                fail("the bridge closed the connection");
            }
            if (read == 0) {
                if (System.nanoTime() - deadline > 0) {
                    fail("the bridge sent nothing for " + Messages.PATIENCE_NANOS / 1_000_000_000L + " s");
                }
                stream.awaitReadable(10_000_000L);
            }
        }
    }

    /** Reads until end of stream, returning what came; fails if the bridge keeps the stream open. */
    static byte[] readToEnd(ByteStream stream, long timeoutNanos) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            buffer.clear();
            int read = stream.read(buffer);
            if (read < 0) {
                return got.toByteArray();
            }
            got.write(buffer.array(), 0, read);
            if (read == 0) {
                if (System.nanoTime() - deadline > 0) {
                    fail("the bridge did not close the connection within " + timeoutNanos / 1_000_000 + " ms");
                }
                stream.awaitReadable(10_000_000L);
            }
        }
    }
}
