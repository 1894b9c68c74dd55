package io.ringbus.transport.stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link ByteStream#peerClosed}: a reader whose buffer is full must still learn that its peer is gone
 * while bytes the peer sent are still unread, and must then still read every one of them. (The bridge
 * once waited for ever on a dead publisher because it could learn that only by reading, and its buffer
 * was full.)
 */
class PeerClosedTest {
    /** More than the bridge's 64 KiB receive buffer, and within a Unix socket's default send buffer. */
    private static final int UNREAD_BYTES = 100 * 1024;

    @Test
    void aPipeReportsItsWriterGoneWithBytesUnread() {
        try (PipePair pair = FdStream.pipePair()) {
            // A pipe holds 64 KiB by default: write what fits.
            byte[] sent = sendAndClose(pair.a(), 48 * 1024, pair.a()::close);
            assertEverythingThenEnd(pair.b(), sent);
        }
    }

    @Test
    void aPipeWithItsWriterOpenIsNotClosed() {
        try (PipePair pair = FdStream.pipePair()) {
            pair.a().write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertFalse(pair.b().peerClosed(), "the writer is still open");
            assertFalse(pair.b().peerClosed(), "asking twice changes nothing");
            ByteBuffer got = ByteBuffer.allocate(8);
            FdTestSupport.readFully(pair.b(), got.limit(3));
            assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOf(got.array(), 3));
        }
    }

    @Test
    void aUnixSocketReportsItsPeerGoneWithBytesUnread(@TempDir Path dir) throws IOException {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("s.sock"));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(address);
            checkSocketPair(server, SocketChannel.open(address));
        }
    }

    @Test
    void aTcpSocketReportsItsPeerGoneWithBytesUnread() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            checkSocketPair(server, SocketChannel.open(server.getLocalAddress()));
        }
    }

    private static void checkSocketPair(ServerSocketChannel server, SocketChannel client) throws IOException {
        SocketStream sender = new SocketStream(client, "sender");
        try (SocketStream receiver = new SocketStream(server.accept(), "receiver")) {
            sender.write(ByteBuffer.wrap(new byte[] {9}));
            assertTrue(receiver.awaitReadable(5_000_000_000L));
            assertFalse(receiver.peerClosed(), "the sender is connected");
            ByteBuffer first = ByteBuffer.allocate(1);
            assertEquals(1, receiver.read(first), "the byte read ahead is handed out");
            assertEquals(9, first.get(0));
            byte[] sent = sendAndClose(sender, UNREAD_BYTES, sender::close);
            assertEverythingThenEnd(receiver, sent);
        }
    }

    /** Writes {@code length} random bytes (waiting for room, never reading) and closes the sender. */
    private static byte[] sendAndClose(ByteStream sender, int length, Runnable close) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        ByteBuffer out = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (out.hasRemaining()) {
            assertTrue(System.nanoTime() - deadline < 0, "the stream took only " + out.position() + " bytes");
            if (sender.write(out) == 0) {
                sender.awaitWritable(10_000_000L);
            }
        }
        close.run();
        return bytes;
    }

    /** The receiver says the peer closed before reading a byte, then reads all it sent, then -1. */
    private static void assertEverythingThenEnd(ByteStream receiver, byte[] sent) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!receiver.peerClosed()) {
            assertTrue(System.nanoTime() - deadline < 0, "peerClosed() never turned true");
            Thread.onSpinWait();
        }
        assertTrue(receiver.peerClosed(), "it stays true");
        assertTrue(receiver.awaitReadable(0), "what is unread is readable at once");
        ByteBuffer got = ByteBuffer.allocate(sent.length + 1);
        int read;
        while ((read = receiver.read(got)) >= 0) {
            assertTrue(System.nanoTime() - deadline < 0, "no end of stream after " + got.position() + " bytes");
            if (read == 0) {
                receiver.awaitReadable(10_000_000L);
            }
        }
        assertEquals(sent.length, got.position(), "every byte sent arrives before the end");
        assertArrayEquals(sent, java.util.Arrays.copyOf(got.array(), sent.length));
        assertEquals(-1, receiver.read(ByteBuffer.allocate(4)));
    }
}
