package io.ringbus.transport.client;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.transport.TransportException;
import io.ringbus.transport.frame.FrameDescriptor;
import io.ringbus.transport.frame.Hello;
import io.ringbus.transport.stream.ByteStream;
import io.ringbus.transport.stream.StreamClosedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The client's handshake when the bridge answers and closes before it reads the hello, as a bridge
 * refusing a peer of another user does: the client's write of the hello may fail (EPIPE), and the
 * bridge's REJECT, already in the receive buffer, must still be what the client reports.
 */
class HandshakeTest {
    private static final long TIMEOUT = 5_000_000_000L;
    private static final Hello HELLO = new Hello(Hello.Role.SUB, "t", Map.of());

    /** A stream whose writes fail with EPIPE and whose reads return {@code incoming}, then end of stream. */
    private static ByteStream closedByPeer(ByteBuffer incoming) {
        return new ByteStream() {
            @Override
            public int read(ByteBuffer destination) {
                if (!incoming.hasRemaining()) {
                    return -1;
                }
                int n = Math.min(destination.remaining(), incoming.remaining());
                destination.put(incoming.slice(incoming.position(), n));
                incoming.position(incoming.position() + n);
                return n;
            }

            @Override
            public int write(ByteBuffer source) {
                throw new StreamClosedException("unix:/x/bus.sock: Broken pipe", new IOException("Broken pipe"));
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
            public boolean peerClosed() {
                return true;
            }

            @Override
            public String describe() {
                return "unix:/x/bus.sock";
            }

            @Override
            public void close() {
            }
        };
    }

    private static ByteBuffer reject(String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH + text.length)
            .order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(text.length).putInt(FrameDescriptor.REJECT).put(text).flip();
        return frame;
    }

    @Test
    void aRejectSentBeforeTheHelloCouldBeWrittenIsWhatTheClientReports() {
        ByteStream stream = closedByPeer(reject("this bridge serves only user nobody, and you run as root"));
        Handshake.RejectedException e = assertThrows(Handshake.RejectedException.class,
            () -> Handshake.perform(stream, HELLO, TIMEOUT, "unix:/x/bus.sock"));
        assertEquals("The bridge at unix:/x/bus.sock refused sub on topic 't': this bridge serves only user nobody,"
            + " and you run as root", e.getMessage());
    }

    @Test
    void aBridgeThatClosedWithoutAWordIsReportedWithTheFailedWrite() {
        ByteStream stream = closedByPeer(ByteBuffer.allocate(0));
        TransportException e = assertThrows(TransportException.class,
            () -> Handshake.perform(stream, HELLO, TIMEOUT, "unix:/x/bus.sock"));
        assertEquals("unix:/x/bus.sock closed the connection before the hello was written (Broken pipe); is a ringbus"
            + " bridge serving it? (its log says why)", e.getMessage());
    }
}
