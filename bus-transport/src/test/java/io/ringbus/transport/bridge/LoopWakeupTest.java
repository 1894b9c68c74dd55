package io.ringbus.transport.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.frame.FrameDescriptor;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
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
            RawFrames.write(client, RawFrames.frame(FrameDescriptor.HELLO, "ringbus/1 sub t"));
            assertEquals(FrameDescriptor.WELCOME, RawFrames.readFrame(client).getInt(4));
            for (int round = 0; round < 20; round++) {
                long before = loop.parkedWaits();
                while (loop.parkedWaits() == before) {
                    Thread.sleep(1); // until the loop has parked the idle subscription again
                }
                assertTrue(publisher.offer(new byte[] {(byte) round}, 0, 1) >= 0);
                assertEquals(0, RawFrames.readFrame(client).getInt(4));
            }
        }
        assertEquals(0, loop.missedWakeups(), "waits ran out their slice with a message ready");
        publisher.close();
    }
}
