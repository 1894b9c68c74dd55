package io.ringbus.transport.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.transport.ConfirmingPublisher;
import io.ringbus.transport.ConnectionListener;
import io.ringbus.transport.TransportException;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.frame.FrameDescriptor;
import io.ringbus.transport.frame.Hello;
import io.ringbus.transport.stream.ByteStream;
import io.ringbus.transport.stream.StreamClosedException;
import io.ringbus.transport.stream.StreamConnector;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamPublisher#closeAndConfirm} against scripted bridges: one that predates END (its WELCOME
 * lacks {@code end=1}) is never sent END and gets the plain close; one that offers it is sent END last and
 * its PUBLISHED count returned; one that ends the stream instead of answering (a bridge killed after it
 * read the frames) is an exception, not a confirmation; and close() from another thread ends a wait for an
 * answer that does not come (as pub's Ctrl-C hook does).
 */
class CloseAndConfirmTest {
    private static final long TIMEOUT = 5_000_000_000L;

    /** What the scripted bridge does once it has read END. */
    enum Answer { PUBLISHED, END_OF_STREAM, NOTHING }

    /** A bridge in memory: its WELCOME, then, after END, its answer; it records what the client wrote. */
    private static final class ScriptedBridge implements ByteStream {
        private final ByteBuffer incoming = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();
        private final Answer answer;
        private long published;
        private volatile boolean closed;

        ScriptedBridge(String welcome, Answer answer) {
            this.answer = answer;
            byte[] text = welcome.getBytes(StandardCharsets.UTF_8);
            incoming.putInt(text.length).putInt(FrameDescriptor.WELCOME).put(text).flip();
        }

        @Override
        public synchronized int read(ByteBuffer destination) {
            if (closed) {
                throw new StreamClosedException("closed");
            }
            if (!incoming.hasRemaining()) {
                return answer == Answer.END_OF_STREAM && endSeen() ? -1 : 0;
            }
            int n = Math.min(destination.remaining(), incoming.remaining());
            destination.put(incoming.slice(incoming.position(), n));
            incoming.position(incoming.position() + n);
            return n;
        }

        @Override
        public synchronized int write(ByteBuffer source) {
            if (closed) {
                throw new StreamClosedException("closed");
            }
            int n = source.remaining();
            byte[] bytes = new byte[n];
            source.get(bytes);
            written.writeBytes(bytes);
            if (answer == Answer.PUBLISHED && endSeen()) {
                incoming.compact();
                incoming.putInt(Long.BYTES).putInt(FrameDescriptor.PUBLISHED).putLong(published).flip();
            }
            return n;
        }

        /** Whether the last frame written is END; counts the messages before it. */
        synchronized boolean endSeen() {
            ByteBuffer frames = ByteBuffer.wrap(written.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            int lastType = 0;
            long messages = 0;
            while (frames.remaining() >= FrameDescriptor.HEADER_LENGTH) {
                int length = frames.getInt();
                lastType = frames.getInt();
                frames.position(frames.position() + length);
                if (FrameDescriptor.isMessage(lastType)) {
                    messages++;
                }
            }
            published = messages;
            return lastType == FrameDescriptor.END;
        }

        /** The types of the frames the client wrote, the HELLO first. */
        synchronized int[] types() {
            ByteBuffer frames = ByteBuffer.wrap(written.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            java.util.List<Integer> types = new java.util.ArrayList<>();
            while (frames.remaining() >= FrameDescriptor.HEADER_LENGTH) {
                int length = frames.getInt();
                types.add(frames.getInt());
                frames.position(frames.position() + length);
            }
            return types.stream().mapToInt(Integer::intValue).toArray();
        }

        @Override
        public boolean awaitReadable(long timeoutNanos) {
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(timeoutNanos, 5_000_000L));
            return !closed;
        }

        @Override
        public boolean awaitWritable(long timeoutNanos) {
            return true;
        }

        @Override
        public boolean peerClosed() {
            return false;
        }

        @Override
        public String describe() {
            return "unix:/scripted/bus.sock";
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static StreamPublisher publisher(ScriptedBridge bridge) {
        StreamConnector connector = new StreamConnector() {
            @Override
            public ByteStream connect(long timeoutNanos) {
                return bridge;
            }

            @Override
            public TransportUri uri() {
                return TransportUri.parse("unix:/scripted/bus.sock");
            }
        };
        ConnectionListener quiet = new ConnectionListener() {
            @Override
            public void onDisconnected(TransportUri uri, String topic, String reason) {
            }

            @Override
            public void onReconnected(TransportUri uri, String topic) {
            }
        };
        StreamConnection connection = new StreamConnection(connector, new Hello(Hello.Role.PUB, "t", Map.of()), quiet,
            TIMEOUT, 1_000_000L);
        return new StreamPublisher(connection, true, () -> { });
    }

    private static void offer(StreamPublisher publisher, int count) {
        for (int i = 0; i < count; i++) {
            assertTrue(publisher.offer(("m" + i).getBytes(StandardCharsets.UTF_8)) >= 0, "offer " + i);
        }
    }

    @Test
    void aBridgeThatOffersEndIsSentEndLastAndItsCountIsReturned() {
        ScriptedBridge bridge = new ScriptedBridge("ok maxMessageLength=1024 end=1", Answer.PUBLISHED);
        StreamPublisher publisher = publisher(bridge);
        offer(publisher, 3);
        assertEquals(3, publisher.closeAndConfirm(TIMEOUT));
        assertEquals(java.util.List.of(FrameDescriptor.HELLO, 0, 0, 0, FrameDescriptor.END),
            java.util.Arrays.stream(bridge.types()).boxed().toList());
        assertTrue(bridge.closed, "the connection is closed");
    }

    @Test
    void aBridgeThatPredatesEndIsNeverSentItAndGetsThePlainClose() {
        ScriptedBridge bridge = new ScriptedBridge("ok maxMessageLength=1024", Answer.NOTHING);
        StreamPublisher publisher = publisher(bridge);
        offer(publisher, 3);
        assertEquals(ConfirmingPublisher.NOT_CONFIRMED, publisher.closeAndConfirm(TIMEOUT));
        assertEquals(java.util.List.of(FrameDescriptor.HELLO, 0, 0, 0),
            java.util.Arrays.stream(bridge.types()).boxed().toList());
    }

    @Test
    void anEndOfStreamInPlaceOfPublishedIsNoConfirmation() {
        ScriptedBridge bridge = new ScriptedBridge("ok maxMessageLength=1024 end=1", Answer.END_OF_STREAM);
        StreamPublisher publisher = publisher(bridge);
        offer(publisher, 3);
        TransportException e = assertThrows(TransportException.class, () -> publisher.closeAndConfirm(TIMEOUT));
        assertTrue(e.getMessage().contains("before it answered END"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> publisher.closeAndConfirm(TIMEOUT), "closed already");
    }

    @Test
    void closeFromAnotherThreadEndsAWaitForAnAnswerThatDoesNotCome() throws Exception {
        ScriptedBridge bridge = new ScriptedBridge("ok maxMessageLength=1024 end=1", Answer.NOTHING);
        StreamPublisher publisher = publisher(bridge);
        offer(publisher, 3);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread confirming = Thread.ofPlatform().start(() -> {
            try {
                publisher.closeAndConfirm(ConfirmingPublisher.NO_TIMEOUT);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        while (!bridge.endSeen()) {
            Thread.sleep(5);
        }
        publisher.close(); // returns, although closeAndConfirm would wait for ever
        confirming.join();
        assertFalse(confirming.isAlive());
        assertTrue(failure.get() instanceof TransportException, "closeAndConfirm threw: " + failure.get());
        assertTrue(failure.get().getMessage().contains("close() was called meanwhile"), failure.get().getMessage());
    }
}
