package io.ringbus.transport.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.frame.FrameDescriptor;
import java.lang.foreign.ValueLayout;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A topic file removed from the bus directory while a bridge session still has it mapped (by hand, or by a
 * tool, and then made anew by a process on shared memory): clients that come later must reach the file
 * the path names now, where the processes on shared memory are. Once, the bridge's bus served the removed
 * file to every new client for as long as one old session held it, and its event loop grouped idle
 * subscriptions by topic name, so one of a removed file polled for one of the new file. Found by
 * {@code ./bus stress --via tcp --seed 3944263200584} (a session of a killed victim publisher kept the
 * scribbled victim file; the next victim pair, served from it, carried nothing for 20 s).
 */
class RemovedTopicFileTest {
    private static final long PATIENCE_NANOS = 10_000_000_000L;

    private OneLoopBridge served;
    private Path root;
    private Bus bus;
    private Bridge bridge;

    @BeforeEach
    void start() throws Exception {
        served = OneLoopBridge.start("rb-removed-topic-");
        root = served.root;
        bus = served.bus;
        bridge = served.bridge;
    }

    @AfterEach
    void stop() throws Exception {
        served.close();
    }

    @Test
    void clientsThatComeAfterTheRemovalReachTheNewFile() throws Exception {
        try (SocketChannel old = connect("sub t");
             Bus shm = Bus.open(new BusContext().directory(root.resolve("bus")))) {
            Files.delete(root.resolve("bus/t.topic"));
            Subscriber onNewFile = shm.newSubscriber("t", new TopicConfig(),
                new SubscriberConfig().start(StartPosition.EARLIEST));
            try (SocketChannel fresh = connect("sub t"); SocketChannel publisher = connect("pub t")) {
                // Through the bridge into the topic: the subscriber on shared memory gets it.
                RawFrames.write(publisher, RawFrames.frame(0, "from the bridge"));
                long deadline = System.nanoTime() + PATIENCE_NANOS;
                List<String> got = new ArrayList<>();
                while (got.isEmpty() && System.nanoTime() - deadline < 0) {
                    onNewFile.poll((type, buffer, offset, length) -> got.add(new String(
                        buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8)), 10);
                    Thread.sleep(1);
                }
                assertEquals(List.of("from the bridge"), got,
                    "a client's message did not reach the topic file the path names");
                // From shared memory to the client that came later, while the old one idles on its file.
                Publisher shmPublisher = shm.newPublisher("t");
                assertTrue(shmPublisher.offer("from shm".getBytes(StandardCharsets.UTF_8)) >= 0);
                assertEquals("from the bridge", readMessage(fresh), "the later subscriber");
                assertEquals("from shm", readMessage(fresh), "the later subscriber");
                shmPublisher.close();
            }
            assertNull(readMessageIfAny(old), "the subscriber of the removed file got a message");
            onNewFile.close();
        }
    }

    private SocketChannel connect(String what) throws Exception {
        SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(root.resolve("sock/bus.sock")));
        RawFrames.write(channel, RawFrames.frame(FrameDescriptor.HELLO, "ringbus/1 " + what));
        channel.configureBlocking(false);
        assertEquals(FrameDescriptor.WELCOME, readFrame(channel, PATIENCE_NANOS).getInt(4), "no WELCOME for " + what);
        return channel;
    }

    private static String readMessage(SocketChannel channel) throws Exception {
        ByteBuffer frame = readFrame(channel, PATIENCE_NANOS);
        if (frame == null) {
            fail("no message within " + PATIENCE_NANOS / 1_000_000_000L + " s");
        }
        return text(frame);
    }

    private static String readMessageIfAny(SocketChannel channel) throws Exception {
        ByteBuffer frame = readFrame(channel, 200_000_000L);
        return frame == null ? null : text(frame);
    }

    private static String text(ByteBuffer frame) {
        assertEquals(0, frame.getInt(4), "a message frame");
        return new String(frame.array(), 8, frame.getInt(0), StandardCharsets.UTF_8);
    }

    /** One whole frame (header and payload), or null if none began within the patience. */
    private static ByteBuffer readFrame(SocketChannel channel, long patienceNanos) throws Exception {
        long deadline = System.nanoTime() + patienceNanos;
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (header.hasRemaining()) {
            if (channel.read(header) < 0) {
                throw new java.io.EOFException("the bridge closed");
            }
            if (header.position() == 0 && System.nanoTime() - deadline > 0) {
                return null;
            }
            Thread.onSpinWait();
        }
        ByteBuffer frame = ByteBuffer.allocate(8 + header.getInt(0)).order(ByteOrder.LITTLE_ENDIAN);
        frame.put(header.flip());
        while (frame.hasRemaining()) {
            if (channel.read(frame) < 0) {
                throw new java.io.EOFException("the bridge closed within a frame");
            }
        }
        return frame.flip();
    }
}
