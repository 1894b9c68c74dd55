package io.ringbus.transport.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.frame.FrameDescriptor;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A subscription idle on an event loop is woken by the loop's ring watch when a message is published: the
 * loop had parked it (its futex word in the watch's {@code futex_waitv}) before each message, and no wait
 * ran out its slice with a message ready (which is how a broken watch would still deliver, 100 ms late).
 */
class LoopWakeupTest {
    private OneLoopBridge served;
    private Path root;
    private Bus bus;
    private Bridge bridge;

    @BeforeEach
    void start() throws Exception {
        served = OneLoopBridge.start("rb-loop-wake-");
        root = served.root;
        bus = served.bus;
        bridge = served.bridge;
    }

    @AfterEach
    void stop() throws Exception {
        served.close();
    }

    @Test
    void anIdleSubscriptionIsWokenByTheRingWatch() throws Exception {
        EventLoop loop = bridge.loops().getFirst();
        Publisher publisher = bus.newPublisher("t", new TopicConfig());
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(root.resolve("sock/bus.sock")))) {
            byte[] hello = "ringbus/1 sub t".getBytes(StandardCharsets.UTF_8);
            write(client, ByteBuffer.allocate(8 + hello.length).order(ByteOrder.LITTLE_ENDIAN).putInt(hello.length)
                .putInt(FrameDescriptor.HELLO).put(hello).flip());
            assertEquals(FrameDescriptor.WELCOME, readFrame(client));
            for (int round = 0; round < 20; round++) {
                long before = loop.parkedWaits();
                while (loop.parkedWaits() == before) {
                    Thread.sleep(1); // until the loop has parked the idle subscription again
                }
                assertTrue(publisher.offer(new byte[] {(byte) round}, 0, 1) >= 0);
                assertEquals(0, readFrame(client));
            }
        }
        assertEquals(0, loop.missedWakeups(), "waits ran out their slice with a message ready");
        publisher.close();
    }

    private static void write(SocketChannel channel, ByteBuffer bytes) throws Exception {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Reads one frame; returns its type. */
    private static int readFrame(SocketChannel channel) throws Exception {
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (header.hasRemaining()) {
            if (channel.read(header) < 0) {
                throw new java.io.EOFException("the bridge closed");
            }
        }
        ByteBuffer payload = ByteBuffer.allocate(header.getInt(0));
        while (payload.hasRemaining()) {
            channel.read(payload);
        }
        return header.getInt(4);
    }
}
