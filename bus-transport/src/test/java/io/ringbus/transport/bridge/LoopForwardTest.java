package io.ringbus.transport.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringbus.core.Publisher;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.frame.FrameDescriptor;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A subscription on an event loop forwards bursts larger than its frame writer holds (64 KiB here: the
 * topic's largest message is 2 KiB), of mixed sizes: every message must arrive whole, once, in order,
 * across the writer's fills and flushes.
 */
class LoopForwardTest {
    private static final int MAX_MESSAGE = 2048;
    private static final TopicConfig TOPIC = new TopicConfig().capacity(1 << 20).maxMessageLength(MAX_MESSAGE);

    private OneLoopBridge served;

    @BeforeEach
    void start() throws Exception {
        served = OneLoopBridge.start("rb-loop-forward-");
    }

    @AfterEach
    void stop() throws Exception {
        served.close();
    }

    @Test
    void aBurstBiggerThanTheWriterArrivesWholeAndInOrder() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int messages = 30_000;
        int[] lengths = new int[messages];
        for (int i = 0; i < messages; i++) {
            // Mostly small (a poll's worth overfills the writer), now and then one of the largest; at least
            // five bytes: the number, then a last byte of its own.
            lengths[i] = random.nextInt(10) == 0 ? MAX_MESSAGE : 5 + random.nextInt(120);
        }
        Publisher publisher = served.bus.newPublisher("t", TOPIC);
        try (SocketChannel client = SocketChannel.open(
            UnixDomainSocketAddress.of(served.root.resolve("sock/bus.sock")))) {
            RawFrames.write(client, RawFrames.frame(FrameDescriptor.HELLO, "ringbus/1 sub t"));
            assertEquals(FrameDescriptor.WELCOME, RawFrames.readFrame(client).getInt(4));
            Thread publishing = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < messages; i++) {
                    byte[] message = new byte[lengths[i]];
                    ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN).putInt(i);
                    message[message.length - 1] = (byte) i;
                    while (publisher.offer(message, 0, message.length) < 0) {
                        Thread.yield(); // back-pressured by the subscription, which the reader below drains
                    }
                }
            });
            for (int i = 0; i < messages; i++) {
                ByteBuffer frame = RawFrames.readFrame(client);
                assertEquals(0, frame.getInt(4), "a data frame (seed " + seed + ")");
                int length = frame.getInt(0);
                assertEquals(lengths[i], length, "message " + i + "'s length (seed " + seed + ")");
                assertEquals(i, frame.getInt(8), "message " + i + " in order (seed " + seed + ")");
                assertEquals((byte) i, frame.get(8 + length - 1), "message " + i + " whole (seed " + seed + ")");
            }
            publishing.join();
        }
        publisher.close();
    }
}
