package io.ringbus.transport.bridge;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** A client speaking the frame format by hand over a socket channel, as a test of the bridge needs one. */
final class RawFrames {
    private RawFrames() {
    }

    /** A whole frame with a UTF-8 text payload, ready to write. */
    static ByteBuffer frame(int type, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + bytes.length).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length)
            .putInt(type).put(bytes).flip();
    }

    /** Writes all of {@code bytes}. */
    static void write(SocketChannel channel, ByteBuffer bytes) throws Exception {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Reads one whole frame from a blocking channel: header and payload, little-endian, flipped. */
    static ByteBuffer readFrame(SocketChannel channel) throws Exception {
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, header);
        ByteBuffer frame = ByteBuffer.allocate(8 + header.getInt(0)).order(ByteOrder.LITTLE_ENDIAN);
        frame.put(header.flip());
        readFully(channel, frame);
        return frame.flip();
    }

    private static void readFully(SocketChannel channel, ByteBuffer buffer) throws Exception {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("the bridge closed");
            }
        }
    }
}
