package io.ringbus.transport.bridge;

import io.ringbus.core.LostPages;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.RingBusException;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.core.topic.ShmSubscriber;
import io.ringbus.transport.AuthToken;
import io.ringbus.transport.MalformedFrameException;
import io.ringbus.transport.TransportException;
import io.ringbus.transport.frame.FrameDescriptor;
import io.ringbus.transport.frame.FrameReader;
import io.ringbus.transport.frame.FrameWriter;
import io.ringbus.transport.frame.Hello;
import io.ringbus.transport.stream.ByteStream;
import io.ringbus.transport.stream.SpinBeforeWait;
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
 * policy applies to the client as to any subscriber). A subscriber with explicit commits
 * ({@code commit=explicit}) has its {@code COMMIT} frames turned into commits of the session's own
 * subscription ({@link CommitLog}), so that its cursor (and a durable successor) follows what the
 * client has consumed, not what was sent to it.
 */
final class BridgeSession implements Runnable, Served {
    private static final long SLICE_NANOS = 100_000_000L;
    /** How long a dead publisher's frame waits for room before its session ends (see publish). */
    private static final long DEAD_PUBLISHER_PATIENCE_NANOS = 3_000_000_000L;
    /**
     * The first wait for the ring while a client with explicit commits owes a commit: its COMMIT frames
     * are read between waits (doubling up to a slice while none comes), since publishers may wait for it.
     */
    private static final long COMMIT_WAIT_NANOS = 1_000_000L;
    private static final int FORWARD_BATCH_LIMIT = 1024;
    /** A publishing session spins before it waits only after reads of at most this many bytes. */
    private static final int SPIN_AFTER_READS_UP_TO = 4096;
    /** Room kept in a batch for the LOSS frame an eviction may add while polling. */
    private static final int LOSS_FRAME_ROOM = FrameDescriptor.HEADER_LENGTH + 3 * Long.BYTES;

    private final Bridge bridge;
    private final ByteStream stream;
    private final long id;
    private final boolean dedicated;
    private final CountDownLatch ended = new CountDownLatch(1);
    /** What a subscriber sent after its hello: COMMIT frames and a BYE. */
    private final SubscriberInput input = new SubscriberInput();
    /** For a subscriber with explicit commits, else null. */
    private CommitLog commits;
    /** The hello's payload as received: what an AUTH answer covers. */
    private byte[] helloBytes;
    private volatile boolean stopped;

    BridgeSession(Bridge bridge, ByteStream stream, long id, boolean dedicated) {
        this.bridge = bridge;
        this.stream = stream;
        this.id = id;
        this.dedicated = dedicated;
    }

    /** Whether this is a socket connection on one of the bridge's dedicated threads. */
    boolean dedicated() {
        return dedicated;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public void run() {
        Hello hello = null;
        try {
            hello = readHello();
            if (hello != null && authenticated(hello) && admitted(hello)) {
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
        if (!readExactly(header, deadline, "hello")) {
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
        if (!readExactly(payload, deadline, "hello")) {
            return null;
        }
        helloBytes = payload.array();
        return Hello.parse(new String(helloBytes, StandardCharsets.UTF_8));
    }

    /**
     * Challenges the client if its listener requires a token, and checks its answer; true if it may go on.
     * False (a REJECT sent) for a wrong answer, no answer, or none in the hello's time.
     */
    private boolean authenticated(Hello hello) {
        AuthToken token = Admission.tokenFor(bridge.context(), stream);
        if (token == null) {
            return true;
        }
        byte[] nonce = AuthToken.newNonce();
        if (!writeControl(FrameDescriptor.CHALLENGE, nonce)) {
            return false;
        }
        long deadline = System.nanoTime() + bridge.context().helloTimeout().toNanos();
        ByteBuffer header = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        if (!readExactly(header, deadline, "answer to the authentication challenge")) {
            return false;
        }
        int length = header.getInt(FrameDescriptor.LENGTH_OFFSET);
        int type = header.getInt(FrameDescriptor.TYPE_OFFSET);
        if (type != FrameDescriptor.AUTH || length == 0) {
            refuseAuth(hello, "no token (" + FrameDescriptor.typeName(type) + " of " + length + " bytes)",
                Admission.AUTH_REQUIRED);
            return false;
        }
        if (length != AuthToken.ANSWER_LENGTH) {
            throw new MalformedFrameException("AUTH carries " + length + " bytes; an answer is "
                + AuthToken.ANSWER_LENGTH);
        }
        ByteBuffer answer = ByteBuffer.allocate(length);
        if (!readExactly(answer, deadline, "answer to the authentication challenge")) {
            return false;
        }
        if (!token.verify(nonce, helloBytes, answer.array())) {
            refuseAuth(hello, "a wrong answer", Admission.AUTH_FAILED);
            return false;
        }
        return true;
    }

    /** Whether the allow lists let {@code hello} through; false with a REJECT sent. */
    private boolean admitted(Hello hello) {
        String refusal = Admission.refusal(bridge.context(), hello);
        if (refusal == null) {
            return true;
        }
        log("refused " + hello.role().name().toLowerCase() + " on topic '" + hello.topic() + "' from "
            + stream.describe() + ": not in the allow list");
        reject(refusal);
        return false;
    }

    private void refuseAuth(Hello hello, String what, String reason) {
        log("refused " + hello.role().name().toLowerCase() + " on topic '" + hello.topic() + "' from "
            + stream.describe() + ": " + what + " to the authentication challenge");
        reject(reason);
    }

    /** Reads until {@code into} is full; false at end of stream, on stop, or on timeout (logged: no {@code what}). */
    private boolean readExactly(ByteBuffer into, long deadline, String what) {
        while (into.hasRemaining()) {
            int read = stream.read(into);
            if (read < 0 || stopped) {
                return false;
            }
            if (read == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    log("closed " + stream.describe() + ": no " + what + " within "
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
                if (!writeControl(FrameDescriptor.WELCOME, "ok maxMessageLength=" + maxMessageLength + " "
                    + FrameDescriptor.WELCOME_END)) {
                    return;
                }
            } catch (StreamClosedException e) {
                // The client closed its reading side (a script that printed its frames and exited, nc
                // with a quick EOF): its frames may still be waiting in the stream, so publish them.
            }
            FrameReader reader = new FrameReader(maxMessageLength);
            IdleStrategy idle = new BackoffIdleStrategy();
            RunPublisher run = new RunPublisher(publisher);
            long published = 0;
            int lastRead = 0;
            while (!stopped) {
                try {
                    while (reader.next()) {
                        if (!FrameDescriptor.isMessage(reader.type())) {
                            if (isEnd(reader)) {
                                run.endOfRun(); // subscribers awake before the client hears it
                                writeControl(FrameDescriptor.PUBLISHED, published(published));
                                return;
                            }
                            throw new MalformedFrameException("a publisher may send only messages, not "
                                + FrameDescriptor.typeName(reader.type()));
                        }
                        if (!publish(run, reader, idle)) {
                            return;
                        }
                        published++;
                    }
                } finally {
                    run.endOfRun(); // the frames of one read wake parked subscribers once
                }
                int read = fillOrSpin(reader, lastRead);
                if (read < 0) {
                    return;
                }
                if (read > 0) {
                    lastRead = read;
                }
                if (read == 0) {
                    stream.awaitReadable(SLICE_NANOS);
                }
            }
        }
    }

    /** Whether the reader's control frame is the publisher's END (which carries nothing). */
    static boolean isEnd(FrameReader reader) {
        if (reader.type() != FrameDescriptor.END) {
            return false;
        }
        if (reader.payloadLength() != 0) {
            throw new MalformedFrameException("END carries " + reader.payloadLength() + " bytes; it carries none");
        }
        return true;
    }

    /** The payload of a PUBLISHED frame: the count, an int64 (LE). */
    static byte[] published(long count) {
        return ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(count).array();
    }

    /**
     * Reads what the client sent; after a small read (a client sending a message at a time, waiting for
     * replies), tries again for a short spin before the caller waits (SpinBeforeWait). After a large one
     * (a batching client) it does not: there a wakeup is shared by many frames, and a spinning session
     * took the processor from the client and the ring's subscriber (pipe publish fell from 1.4-2.1 M to
     * 0.9 M msg/s).
     */
    private int fillOrSpin(FrameReader reader, int lastRead) {
        int read = reader.fill(stream);
        if (read != 0 || lastRead > SPIN_AFTER_READS_UP_TO) {
            return read;
        }
        long spinUntil = System.nanoTime() + SpinBeforeWait.NANOS;
        while (!stopped && System.nanoTime() - spinUntil < 0) {
            SpinBeforeWait.pause();
            read = reader.fill(stream);
            if (read != 0) {
                return read;
            }
        }
        return 0;
    }

    /**
     * Offers the current frame until the ring takes it; false when the session must end. A client that
     * died while the ring was full still has its frames published as long as the ring takes one now and
     * then (a slow subscriber); only when it is gone and the ring took nothing for
     * {@link #DEAD_PUBLISHER_PATIENCE_NANOS} does the session give up, so it does not keep the topic
     * mapped for ever publishing for nobody.
     */
    private boolean publish(RunPublisher publisher, FrameReader reader, IdleStrategy idle) {
        // The common case first, with no clock read or idle bookkeeping per frame.
        long first = publisher.offer(reader.type(), reader.segment(), reader.payloadOffset(), reader.payloadLength());
        if (first >= 0) {
            return true;
        }
        publisher.endOfRun(); // the subscribers we wait for must be awake to make room
        idle.reset();
        long waitingSince = System.nanoTime();
        long lastProbe = waitingSince;
        long result = first;
        while (!stopped) {
            if (result == Result.CLOSED || result == Result.MAX_POSITION_EXCEEDED) {
                reject("the topic refused the message: " + Result.describe(result));
                return false;
            }
            idle.idle(); // BACK_PRESSURED or ADMIN_ACTION: the ring decides when we go on
            long now = System.nanoTime();
            if (now - lastProbe > SLICE_NANOS) {
                lastProbe = now;
                // Asked without reading: the receive buffer may be full, the client's bytes still unread.
                if (now - waitingSince > DEAD_PUBLISHER_PATIENCE_NANOS && stream.peerClosed()) {
                    log("the publisher is gone and the ring took nothing for "
                        + TimeUnit.NANOSECONDS.toSeconds(DEAD_PUBLISHER_PATIENCE_NANOS)
                        + " s: the frames it sent from here on are not published");
                    return false;
                }
            }
            result = publisher.offer(reader.type(), reader.segment(), reader.payloadOffset(), reader.payloadLength());
            if (result >= 0) {
                return true;
            }
        }
        return false;
    }

    private void serveSubscriber(Hello hello) {
        TopicConfig topicConfig = HelloOptions.topicConfig(hello);
        FrameWriter[] writerHolder = new FrameWriter[1];
        // A durable subscriber evicted while it was away is told so while it is being opened, before
        // this session has a writer (or has said WELCOME): such notices wait here and go out after it.
        java.util.List<long[]> earlyLosses = new java.util.ArrayList<>(1);
        SubscriberConfig config = HelloOptions.subscriberConfig(hello, bridge.context().sessionWakeup(),
            (from, to, bytes) -> {
                if (writerHolder[0] == null) {
                    earlyLosses.add(new long[] {from, to, bytes});
                    return;
                }
                writerHolder[0].appendLongs(FrameDescriptor.LOSS, from, to, bytes);
                if (commits != null) {
                    commits.rejoined();
                }
            });
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
            if (!welcome(maxMessageLength)) {
                return;
            }
            for (long[] loss : earlyLosses) {
                writer.appendLongs(FrameDescriptor.LOSS, loss[0], loss[1], loss[2]);
            }
            writerHolder[0] = writer;
            int frameRoom = FrameDescriptor.HEADER_LENGTH + maxMessageLength;
            CommitLog log = config.explicitCommit() ? new CommitLog((ShmSubscriber) subscriber) : null;
            commits = log;
            input.commits(log);
            MessageHandler forward = log == null
                ? (type, buffer, offset, length) -> {
                    if (!writer.hasRoomFor(length + LOSS_FRAME_ROOM)) {
                        makeRoom(writer, length);
                    }
                    writer.append(type, buffer, offset, length);
                }
                : (type, buffer, offset, length) -> {
                    writer.append(type, buffer, offset, length);
                    log.sent();
                };
            try {
                forward(subscriber, writer, forward, frameRoom, log);
            } catch (StreamClosedException gone) {
                if (log != null) {
                    clientGone(); // the COMMIT frames the client sent before it went away count
                }
                throw gone;
            }
        }
    }

    /**
     * Called inside a poll when the next message does not fit: writes out what is pending, waiting for
     * the client as long as it takes, until the message and a LOSS notice fit. The poll, and with it the
     * subscription's cursor, waits meanwhile, as it would between polls; a client that went away ends it
     * with the write's StreamClosedException. Only without explicit commits: their COMMIT frames are read
     * between polls.
     */
    private void makeRoom(FrameWriter writer, int length) {
        while (!writer.hasRoomFor(length + LOSS_FRAME_ROOM)) {
            if (stopped) {
                throw new StreamClosedException("the session was stopped");
            }
            if (!writer.flush(stream)) {
                stream.awaitWritable(SLICE_NANOS);
            }
        }
    }

    /**
     * Forwards the topic's messages until the client goes (or says BYE) or the session is stopped. Without
     * explicit commits a poll takes up to {@link #FORWARD_BATCH_LIMIT} messages whatever their size (the
     * handler makes room when one does not fit, see makeRoom); with them, only as many as fit in the send
     * buffer at the topic's largest size, which for a topic whose largest message is half the buffer was
     * one message a poll.
     */
    private void forward(Subscriber subscriber, FrameWriter writer, MessageHandler forward, int frameRoom,
        CommitLog log) {
        long wait = SLICE_NANOS;
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
            int limit = log == null ? FORWARD_BATCH_LIMIT
                : Math.min(FORWARD_BATCH_LIMIT, (writer.freeBytes() - LOSS_FRAME_ROOM) / frameRoom);
            if (limit < 1) {
                continue; // flush first
            }
            int forwarded = spinThenAwait(subscriber, forward, limit, wait);
            // The limit assumes messages of the topic's largest size; keep polling while room for
            // one more of those remains, so small messages go out many to a system call.
            while (forwarded > 0 && forwarded < FORWARD_BATCH_LIMIT) {
                int more = log == null ? FORWARD_BATCH_LIMIT
                    : (writer.freeBytes() - LOSS_FRAME_ROOM) / frameRoom;
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
            long framesBefore = log == null ? 0 : log.frames();
            if (clientGone()) {
                return; // before polling again: a closing durable subscriber's successor gets the rest
            }
            if (log == null || !log.pending()) {
                wait = SLICE_NANOS;
            } else if (forwarded > 0 || framesBefore != log.frames()) {
                wait = COMMIT_WAIT_NANOS;
            } else {
                wait = Math.min(SLICE_NANOS, wait * 2);
            }
        }
    }

    /** Polls the ring for a short spin (SpinBeforeWait), then waits as the session's wakeup mode says. */
    private int spinThenAwait(Subscriber subscriber, MessageHandler forward, int limit, long wait) {
        long spinUntil = System.nanoTime() + Math.min(wait, SpinBeforeWait.NANOS);
        do {
            int polled = subscriber.poll(forward, limit);
            if (polled > 0) {
                return polled;
            }
            SpinBeforeWait.pause();
        } while (!stopped && System.nanoTime() - spinUntil < 0);
        return subscriber.await(forward, limit, wait);
    }

    private boolean clientGone() {
        return input.clientGone(stream);
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
        return writeControl(type, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes one control frame of these bytes, waiting up to a slice for room; false if it could not. */
    private boolean writeControl(int type, byte[] bytes) {
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
    @Override
    public void stop() {
        stopped = true;
        stream.close();
    }

    @Override
    public void awaitEnd(long millis) {
        try {
            ended.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
