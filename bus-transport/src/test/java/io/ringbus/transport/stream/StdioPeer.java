package io.ringbus.transport.stream;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Child JVM of {@link FdStreamStdioTest}: takes its standard streams as a frame stream, prints a stray
 * line with {@code System.out}, reads one frame from the parent and sends it back with its type plus
 * one, then a frame saying whether a second take was refused.
 */
public final class StdioPeer {
    private StdioPeer() {
    }

    /** Runs the peer; exit status 0 when it did all of it. */
    public static void main(String[] args) {
        FdStream stream = FdStream.takeStandardStreams();
        System.out.println("stray line from System.out");
        System.out.flush();
        String second = "second take allowed";
        try {
            FdStream.takeStandardStreams();
        } catch (IllegalStateException expected) {
            second = "second take refused";
        }
        ByteBuffer header = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
        FdTestSupport.readFully(stream, header);
        int length = header.getInt(0);
        int type = header.getInt(4);
        ByteBuffer payload = ByteBuffer.allocate(length);
        FdTestSupport.readFully(stream, payload);
        ByteBuffer reply = ByteBuffer.allocate(8 + length).order(ByteOrder.LITTLE_ENDIAN);
        reply.putInt(length).putInt(type + 1).put(payload.flip()).flip();
        FdTestSupport.writeFully(stream, reply);
        byte[] text = second.getBytes();
        ByteBuffer status = ByteBuffer.allocateDirect(8 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        status.putInt(text.length).putInt(0).put(text).flip();
        FdTestSupport.writeFully(stream, status);
        System.out.println("peer done");
        stream.close();
    }
}
