package io.ringbus.transport.bridge;

import io.ringbus.core.LostPages;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.RingBusException;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.transport.MalformedFrameException;
import io.ringbus.transport.TransportException;
import io.ringbus.transport.frame.FrameDescriptor;
import io.ringbus.transport.frame.FrameReader;
import io.ringbus.transport.frame.FrameWriter;
import io.ringbus.transport.frame.Hello;
import io.ringbus.transport.stream.ByteStream;
import io.ringbus.transport.stream.StreamClosedException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * One connection served by a {@link Bridge}, on its own thread: reads the hello, then either
 * publishes the client's frames into the topic (stopping reading while the ring is full, so the
 * client is back-pressured through the stream's window) or forwards the topic's messages to the
 * client (stopping polling the ring while the client's window is full, so the ring's slow-consumer
 * policy applies to the client as to any subscriber).
 */
final class BridgeSession implements Runnable {
    private static final long SLICE_NANOS = 100_000_000L;
    private static final byte[] BYE_FRAME = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH)
        .order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(FrameDescriptor.BYE).array();
    private static final int FORWARD_BATCH_LIMIT = 1024;
    /** Room kept in a batch for the LOSS frame an eviction may add while polling. */
    private static final int LOSS_FRAME_ROOM = FrameDescriptor.HEADER_LENGTH + 3 * Long.BYTES;

    private final Bridge bridge;
    private final ByteStream stream;
    private final long id;
    private final CountDownLatch ended = new CountDownLatch(1);
    /** What a subscriber sent after its hello: nothing, or a BYE frame (kept until whole). */
    private final ByteBuffer probe = ByteBuffer.allocateDirect(256);
    private volatile boolean stopped;

    BridgeSession(Bridge bridge, ByteStream stream, long id) {
        this.bridge = bridge;
        this.stream = stream;
        this.id = id;
    }

    long id() {
        return id;
    }

    @Override
    public void run() {
        Hello hello = null;
        try {
            hello = readHello();
            if (hello != null) {
                if (hello.role() == Hello.Role.PUB) {
                    servePublisher(hello);
                } else {
                    serveSubscriber(hello);
                }
            }
        } catch (MalformedFrameException e) {
            log("closed " + stream.describe() + (hello == null ? "" : " (" + hello.role() + " " + hello.topic() + ")")
                + ": malformed frame: " + e.getMessage());
            reject(e.getMessage());
        } catch (StreamClosedException e) {
            // The client went away while we wrote: a normal end.
        } catch (RuntimeException e) {
            log("closed " + stream.describe() + ": " + e);
        } catch (InternalError fault) {
            // A topic file truncated under the bus's mapping. HotSpot raises the fault asynchronously, in
            // compiled code usually past the core call's own catch (see LostPages): the same typed error.
            log("closed " + stream.describe() + ": " + LostPages.typed(fault));
        } finally {
            stream.close();
            bridge.ended(this);
            ended.countDown();
        }
    }

    private Hello readHello() {
        long deadline = System.nanoTime() + bridge.context().helloTimeout().toNanos();
        ByteBuffer header = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        if (!readExactly(header, deadline)) {
            return null;
        }
        int length = header.getInt(FrameDescriptor.LENGTH_OFFSET);
        int type = header.getInt(FrameDescriptor.TYPE_OFFSET);
        if (type != FrameDescriptor.HELLO) {
            throw new MalformedFrameException("the first frame must be HELLO, not " + FrameDescriptor.typeName(type));
        }
        if (length < 0 || length > FrameDescriptor.MAX_CONTROL_LENGTH) {
            throw new MalformedFrameException("HELLO claims " + length + " bytes; the limit is "
                + FrameDescriptor.MAX_CONTROL_LENGTH);
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        if (!readExactly(payload, deadline)) {
            return null;
        }
        return Hello.parse(new String(payload.array(), StandardCharsets.UTF_8));
    }

    /** Reads until {@code into} is full; false at end of stream, on stop, or on timeout (logged). */
    private boolean readExactly(ByteBuffer into, long deadline) {
        while (into.hasRemaining()) {
            int read = stream.read(into);
            if (read < 0 || stopped) {
                return false;
            }
            if (read == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    log("closed " + stream.describe() + ": no hello within "
                        + bridge.context().helloTimeout().toMillis() + " ms");
                    return false;
                }
                stream.awaitReadable(Math.min(left, SLICE_NANOS));
            }
        }
        return true;
    }

    private void servePublisher(Hello hello) {
        TopicConfig topicConfig = HelloOptions.topicConfig(hello);
        Publisher publisher;
        try {
            publisher = bridge.bus().newPublisher(hello.topic(), topicConfig);
        } catch (RingBusException | IllegalArgumentException | IllegalStateException e) {
            refuse(hello, e);
            return;
        }
        try (publisher) {
            int maxMessageLength = publisher.maxMessageLength();
            try {
                if (!welcome(maxMessageLength)) {
                    return;
                }
            } catch (StreamClosedException e) {
                // The client closed its reading side (a script that printed its frames and exited, nc
                // with a quick EOF): its frames may still be waiting in the stream, so publish them.
            }
            FrameReader reader = new FrameReader(maxMessageLength);
            IdleStrategy idle = new BackoffIdleStrategy();
            while (!stopped) {
                while (reader.next()) {
                    if (!FrameDescriptor.isMessage(reader.type())) {
                        throw new MalformedFrameException("a publisher may send only messages, not "
                            + FrameDescriptor.typeName(reader.type()));
                    }
                    if (!publish(publisher, reader, idle)) {
                        return;
                    }
                }
                int read = reader.fill(stream);
                if (read < 0) {
                    return;
                }
                if (read == 0) {
                    stream.awaitReadable(SLICE_NANOS);
                }
            }
        }
    }

    /** Offers the current frame until the ring takes it; false when the session must end. */
    private boolean publish(Publisher publisher, FrameReader reader, IdleStrategy idle) {
        idle.reset();
        long lastProbe = System.nanoTime();
        while (!stopped) {
            long result = publisher.offer(reader.segment(), reader.payloadOffset(), reader.payloadLength());
            if (result >= 0) {
                return true;
            }
            if (result == Result.CLOSED || result == Result.MAX_POSITION_EXCEEDED) {
                reject("the topic refused the message: " + Result.describe(result));
                return false;
            }
            idle.idle(); // BACK_PRESSURED or ADMIN_ACTION: the ring decides when we go on
            long now = System.nanoTime();
            if (now - lastProbe > SLICE_NANOS) {
                lastProbe = now;
                // A client that died while the ring was full must not keep this session (and the
                // topic's mapping) for ever: read on into free buffer space, past the frame in hand.
                if (reader.fillAtEnd(stream) < 0) {
                    return false;
                }
            }
        }
        return false;
    }

    private void serveSubscriber(Hello hello) {
        TopicConfig topicConfig = HelloOptions.topicConfig(hello);
        FrameWriter[] writerHolder = new FrameWriter[1];
        SubscriberConfig config = HelloOptions.subscriberConfig(hello, bridge.context().sessionWakeup(),
            (from, to, bytes) -> writerHolder[0].appendLongs(FrameDescriptor.LOSS, from, to, bytes));
        Subscriber subscriber;
        try {
            subscriber = bridge.bus().newSubscriber(hello.topic(), topicConfig, config);
        } catch (RingBusException | IllegalArgumentException | IllegalStateException e) {
            refuse(hello, e);
            return;
        }
        try (subscriber) {
            int maxMessageLength = bridge.bus().maxMessageLength(hello.topic());
            FrameWriter writer = new FrameWriter(maxMessageLength);
            writerHolder[0] = writer;
            if (!welcome(maxMessageLength)) {
                return;
            }
            int frameRoom = FrameDescriptor.HEADER_LENGTH + maxMessageLength;
            MessageHandler forward = (type, buffer, offset, length) -> writer.append(type, buffer, offset, length);
            while (!stopped) {
                if (writer.hasPending()) {
                    if (!writer.flush(stream)) {
                        stream.awaitWritable(SLICE_NANOS);
                        if (clientGone()) {
                            return;
                        }
                        continue;
                    }
                }
                int limit = Math.min(FORWARD_BATCH_LIMIT, (writer.freeBytes() - LOSS_FRAME_ROOM) / frameRoom);
                if (limit < 1) {
                    continue; // flush first
                }
                int forwarded = subscriber.await(forward, limit, SLICE_NANOS);
                // The limit assumes messages of the topic's largest size; keep polling while room for
                // one more of those remains, so small messages go out many to a system call.
                while (forwarded > 0 && forwarded < FORWARD_BATCH_LIMIT) {
                    int more = (writer.freeBytes() - LOSS_FRAME_ROOM) / frameRoom;
                    if (more < 1) {
                        break;
                    }
                    int polled = subscriber.poll(forward, Math.min(more, FORWARD_BATCH_LIMIT - forwarded));
                    if (polled == 0) {
                        break;
                    }
                    forwarded += polled;
                }
                writer.flush(stream);
                if (clientGone()) {
                    return; // before polling again: a closing durable subscriber's successor gets the rest
                }
            }
        }
    }

    /** Whether the client closed its end or said BYE (subscribers send nothing else after hello). */
    private boolean clientGone() {
        int read = stream.read(probe);
        if (read < 0) {
            return true;
        }
        int have = probe.position();
        for (int i = 0; i < have; i++) {
            if (i >= BYE_FRAME.length || probe.get(i) != BYE_FRAME[i]) {
                throw new MalformedFrameException("a subscriber may send nothing after its hello but BYE");
            }
        }
        return have == BYE_FRAME.length;
    }

    private boolean welcome(int maxMessageLength) {
        return writeControl(FrameDescriptor.WELCOME, "ok maxMessageLength=" + maxMessageLength);
    }

    private void refuse(Hello hello, RuntimeException e) {
        log("refused " + hello.role().name().toLowerCase() + " on topic '" + hello.topic() + "' from "
            + stream.describe() + ": " + e.getMessage());
        reject(e.getMessage());
    }

    private void reject(String reason) {
        try {
            String text = reason == null ? "refused" : reason;
            if (text.getBytes(StandardCharsets.UTF_8).length > FrameDescriptor.MAX_CONTROL_LENGTH) {
                text = text.substring(0, Math.min(text.length(), FrameDescriptor.MAX_CONTROL_LENGTH / 4));
            }
            writeControl(FrameDescriptor.REJECT, text);
        } catch (TransportException ignored) {
            // The client is gone already.
        }
    }

    /** Writes one control frame, waiting up to a slice for room; false if it could not. */
    private boolean writeControl(int type, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH + bytes.length)
            .order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(bytes.length).putInt(type).put(bytes).flip();
        long deadline = System.nanoTime() + SLICE_NANOS * 10;
        while (frame.hasRemaining()) {
            if (stream.write(frame) == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || stopped) {
                    return false;
                }
                stream.awaitWritable(Math.min(left, SLICE_NANOS));
            }
        }
        return true;
    }

    private void log(String line) {
        bridge.context().log().accept(line);
    }

    /** Ends the session: its thread returns within a slice. */
    void stop() {
        stopped = true;
        stream.close();
    }

    void awaitEnd(long millis) {
        try {
            ended.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
