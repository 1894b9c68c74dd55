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
import io.ringbus.transport.stream.SocketStream;
import io.ringbus.transport.stream.StreamClosedException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One socket connection served by an {@link EventLoop}: the same protocol as {@link BridgeSession}, as a
 * state machine that never blocks its thread. A publisher reads what the socket has and offers each frame
 * (a run per read, waking parked subscribers once); when the ring is full it stops reading (the client is
 * back-pressured through the socket's window) and retries on the loop's next turns. A subscriber forwards
 * ring records while the socket takes them; when it does not, the session waits for writability and stops
 * polling (so the ring's slow-consumer policy applies to the client); with nothing to forward it waits with
 * its topic's idle group. Loop thread only, but {@link #stop()}.
 */
final class LoopSession implements Served {
    /** Where the loop keeps a session between turns. */
    enum Place {
        /** Waiting for its socket to be readable: a publisher reading, a session saying hello. */
        READING,
        /** Pumped every turn: a subscriber with records to forward, a publisher waiting for room. */
        ACTIVE,
        /** A subscriber at the tail, in its topic's idle group. */
        IDLE,
        /** A subscriber waiting for its socket to be writable. */
        BLOCKED,
        /** Writing a last control frame (REJECT) before closing. */
        CLOSING,
        /** Gone. */
        CLOSED
    }

    private static final long DEAD_PUBLISHER_PATIENCE_NANOS = 3_000_000_000L;
    private static final long CLOSING_PATIENCE_NANOS = 1_000_000_000L;
    private static final int FORWARD_BATCH_LIMIT = 1024;
    private static final int READS_PER_TURN = 4;
    private static final int LOSS_FRAME_ROOM = FrameDescriptor.HEADER_LENGTH + 3 * Long.BYTES;

    private final Bridge bridge;
    private final EventLoop loop;
    private final SocketStream stream;
    private final long id;
    private final CountDownLatch ended = new CountDownLatch(1);
    private SelectionKey key;
    private Place place = Place.READING;
    private Hello hello;
    private long deadline;
    private ByteBuffer helloHeader = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer helloPayload;
    /** A hello waiting for the client's AUTH, its payload as received, and the challenge's nonce. */
    private Hello challenged;
    private byte[] helloBytes;
    private byte[] nonce;
    /** A control frame (WELCOME, REJECT) not yet wholly written; data waits behind it. */
    private ByteBuffer control;
    private int maxMessageLength;

    private Publisher publisher;
    private RunPublisher run;
    private FrameReader reader;
    /** The reader's current frame was refused by a full ring and is offered again each turn. */
    private boolean framePending;
    /** Messages of this connection in the ring: what PUBLISHED answers END with. */
    private long published;
    private long waitingSince;
    private long lastProbe;

    private Subscriber subscriber;
    private ShmSubscriber parkable;
    private boolean announced;
    private FrameWriter writer;
    private MessageHandler forward;
    private CommitLog commits;
    private final SubscriberInput input = new SubscriberInput();
    private List<long[]> earlyLosses;
    private int frameRoom;

    LoopSession(Bridge bridge, EventLoop loop, SocketStream stream, long id) {
        this.bridge = bridge;
        this.loop = loop;
        this.stream = stream;
        this.id = id;
    }

    @Override
    public long id() {
        return id;
    }

    Place place() {
        return place;
    }

    void place(Place place) {
        this.place = place;
    }

    /** Registers the socket and starts waiting for the hello. */
    void start(Selector selector) {
        deadline = System.nanoTime() + bridge.context().helloTimeout().toNanos();
        try {
            key = stream.channel().register(selector, SelectionKey.OP_READ, this);
        } catch (ClosedChannelException e) {
            close();
        }
    }

    /** The socket is ready as {@code key} says. */
    void ready(SelectionKey readyKey) {
        if (place == Place.CLOSED) {
            return;
        }
        try {
            int ops = readyKey.readyOps();
            if ((ops & SelectionKey.OP_WRITE) != 0) {
                writable();
            }
            if ((ops & SelectionKey.OP_READ) != 0 && place != Place.CLOSED) {
                readable();
            }
        } catch (java.nio.channels.CancelledKeyException e) {
            close();
        } catch (RuntimeException | InternalError e) {
            fail(e);
        }
    }

    /** One turn's work for a session in the ACTIVE or IDLE place; returns how much it did. */
    int pump() {
        if (place != Place.ACTIVE && place != Place.IDLE) {
            return 0;
        }
        try {
            return subscriber != null ? forward() : retryPublish();
        } catch (RuntimeException | InternalError e) {
            fail(e);
            return 1;
        }
    }

    /** Ends the session for what went wrong, with one logged line unless the client simply left. */
    private void fail(Throwable failure) {
        if (failure instanceof MalformedFrameException e) {
            log("closed " + stream.describe() + (hello == null ? "" : " (" + hello.role() + " " + hello.topic() + ")")
                + ": malformed frame: " + e.getMessage());
            reject(e.getMessage());
        } else if (failure instanceof StreamClosedException) {
            if (commits != null) {
                try {
                    input.clientGone(stream); // the COMMIT frames the client sent before it went away count
                } catch (RuntimeException ignored) {
                    // it is gone either way
                }
            }
            close();
        } else if (failure instanceof InternalError fault) {
            log("closed " + stream.describe() + ": " + LostPages.typed(fault));
            close();
        } else {
            log("closed " + stream.describe() + ": " + failure);
            close();
        }
    }

    private void readable() {
        if (hello == null && place != Place.CLOSING) {
            readHello();
        } else if (publisher != null) {
            readFrames();
        } else if (subscriber != null) {
            if (input.clientGone(stream)) {
                close();
            }
        } else if (place == Place.CLOSING && stream.read(helloHeader.clear()) < 0) {
            close(); // nothing more is read from a closing session; its end closes it
        }
    }

    private void writable() {
        if (control != null) {
            if (!flushControl()) {
                return;
            }
            if (place == Place.CLOSING) {
                close();
                return;
            }
            if (hello == null) {
                interest(SelectionKey.OP_READ); // the CHALLENGE is out; its AUTH is awaited
                return;
            }
        }
        if (subscriber != null && place == Place.BLOCKED) {
            if (writer != null && writer.hasPending() && !writer.flush(stream)) {
                return;
            }
            interest(SelectionKey.OP_READ);
            place = Place.ACTIVE;
            loop.activate(this);
        } else if (publisher != null) {
            interest(framePending ? 0 : SelectionKey.OP_READ);
        }
    }

    private void readHello() {
        if (helloPayload == null) {
            int read = stream.read(helloHeader);
            if (read < 0) {
                close();
                return;
            }
            if (helloHeader.hasRemaining()) {
                return;
            }
            int length = helloHeader.getInt(FrameDescriptor.LENGTH_OFFSET);
            int type = helloHeader.getInt(FrameDescriptor.TYPE_OFFSET);
            if (challenged != null) {
                if (type != FrameDescriptor.AUTH || length == 0) {
                    refuseAuth("no token (" + FrameDescriptor.typeName(type) + " of " + length + " bytes)",
                        Admission.AUTH_REQUIRED);
                    return;
                }
                if (length != AuthToken.ANSWER_LENGTH) {
                    throw new MalformedFrameException("AUTH carries " + length + " bytes; an answer is "
                        + AuthToken.ANSWER_LENGTH);
                }
            } else if (type != FrameDescriptor.HELLO) {
                throw new MalformedFrameException("the first frame must be HELLO, not "
                    + FrameDescriptor.typeName(type));
            }
            if (length < 0 || length > FrameDescriptor.MAX_CONTROL_LENGTH) {
                throw new MalformedFrameException("HELLO claims " + length + " bytes; the limit is "
                    + FrameDescriptor.MAX_CONTROL_LENGTH);
            }
            helloPayload = ByteBuffer.allocate(length);
        }
        if (stream.read(helloPayload) < 0) {
            close();
            return;
        }
        if (helloPayload.hasRemaining()) {
            return;
        }
        byte[] payload = helloPayload.array();
        helloPayload = null;
        if (challenged != null) {
            if (!Admission.tokenFor(bridge.context(), stream).verify(nonce, helloBytes, payload)) {
                refuseAuth("a wrong answer", Admission.AUTH_FAILED);
                return;
            }
            hello = challenged;
            challenged = null;
        } else {
            Hello parsed = Hello.parse(new String(payload, StandardCharsets.UTF_8));
            if (Admission.tokenFor(bridge.context(), stream) != null) {
                challenged = parsed;
                helloBytes = payload;
                nonce = AuthToken.newNonce();
                helloHeader.clear();
                writeControl(FrameDescriptor.CHALLENGE, nonce);
                if (control != null) {
                    interest(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                }
                return;
            }
            hello = parsed;
        }
        String refusal = Admission.refusal(bridge.context(), hello);
        if (refusal != null) {
            log("refused " + hello.role().name().toLowerCase() + " on topic '" + hello.topic() + "' from "
                + stream.describe() + ": not in the allow list");
            reject(refusal);
            return;
        }
        if (hello.role() == Hello.Role.PUB) {
            openPublisher();
        } else {
            openSubscriber();
        }
    }

    private void openPublisher() {
        TopicConfig topicConfig = HelloOptions.topicConfig(hello); // a malformed option is not a refusal
        try {
            publisher = bridge.bus().newPublisher(hello.topic(), topicConfig);
        } catch (RingBusException | IllegalArgumentException | IllegalStateException e) {
            refuse(e);
            return;
        }
        run = new RunPublisher(publisher);
        maxMessageLength = publisher.maxMessageLength();
        try {
            writeControl(FrameDescriptor.WELCOME, "ok maxMessageLength=" + maxMessageLength + " "
                + FrameDescriptor.WELCOME_END);
        } catch (StreamClosedException e) {
            control = null; // the client closed its reading side: its frames may still be waiting, so publish them
        }
        if (control != null) {
            interest(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
        readFrames(); // frames sent right behind the hello
    }

    private void openSubscriber() {
        TopicConfig topicConfig = HelloOptions.topicConfig(hello);
        earlyLosses = new ArrayList<>(1);
        SubscriberConfig config = HelloOptions.subscriberConfig(hello, bridge.context().sessionWakeup(),
            (from, to, bytes) -> {
                if (writer == null) {
                    earlyLosses.add(new long[] {from, to, bytes});
                    return;
                }
                writer.appendLongs(FrameDescriptor.LOSS, from, to, bytes);
                if (commits != null) {
                    commits.rejoined();
                }
            });
        try {
            subscriber = bridge.bus().newSubscriber(hello.topic(), topicConfig, config);
        } catch (RingBusException | IllegalArgumentException | IllegalStateException e) {
            refuse(e);
            return;
        }
        parkable = subscriber instanceof ShmSubscriber shm ? shm : null;
        maxMessageLength = bridge.bus().maxMessageLength(hello.topic());
        frameRoom = FrameDescriptor.HEADER_LENGTH + maxMessageLength;
        commits = config.explicitCommit() && parkable != null ? new CommitLog(parkable) : null;
        input.commits(commits);
        CommitLog log = commits;
        forward = log == null
            ? (type, buffer, offset, length) -> writer.append(type, buffer, offset, length)
            : (type, buffer, offset, length) -> {
                writer.append(type, buffer, offset, length);
                log.sent();
            };
        writeControl(FrameDescriptor.WELCOME, "ok maxMessageLength=" + maxMessageLength);
        if (!earlyLosses.isEmpty()) {
            writer = loop.acquireWriter(maxMessageLength);
            for (long[] loss : earlyLosses) {
                writer.appendLongs(FrameDescriptor.LOSS, loss[0], loss[1], loss[2]);
            }
        }
        earlyLosses = null;
        if (control != null) {
            place = Place.BLOCKED;
            interest(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        } else {
            place = Place.ACTIVE;
            loop.activate(this);
        }
    }

    /** Reads and publishes what the client sent, a few reads per turn; stops at a full ring. */
    private void readFrames() {
        if (framePending) {
            return;
        }
        if (reader == null) {
            reader = loop.acquireReader(maxMessageLength);
        }
        for (int reads = 0; reads < READS_PER_TURN; reads++) {
            int read = reader.fill(stream);
            if (!publishRun()) {
                return;
            }
            if (read < 0) {
                close();
                return;
            }
            if (read == 0) {
                break;
            }
        }
        if (!reader.hasPartialFrame()) {
            loop.releaseReader(reader, maxMessageLength);
            reader = null;
        }
    }

    /** Offers the frames in the reader; false when the ring is full (the session waits) or it ended. */
    private boolean publishRun() {
        try {
            while (reader.next()) {
                if (!FrameDescriptor.isMessage(reader.type())) {
                    if (BridgeSession.isEnd(reader)) {
                        run.endOfRun(); // subscribers awake before the client hears it
                        answerEnd();
                        return false;
                    }
                    throw new MalformedFrameException("a publisher may send only messages, not "
                        + FrameDescriptor.typeName(reader.type()));
                }
                if (!offer()) {
                    return false;
                }
                published++;
            }
            return true;
        } finally {
            run.endOfRun(); // the frames of one read wake parked subscribers once
        }
    }

    private boolean offer() {
        long result = run.offer(reader.type(), reader.segment(), reader.payloadOffset(), reader.payloadLength());
        if (result >= 0) {
            return true;
        }
        if (result == Result.CLOSED || result == Result.MAX_POSITION_EXCEEDED) {
            reject("the topic refused the message: " + Result.describe(result));
            return false;
        }
        // BACK_PRESSURED or ADMIN_ACTION: stop reading this socket and try again each turn.
        framePending = true;
        waitingSince = System.nanoTime();
        lastProbe = waitingSince;
        interest(control != null ? SelectionKey.OP_WRITE : 0);
        place = Place.ACTIVE;
        loop.activate(this);
        return false;
    }

    /** A publisher waiting for room: offers the pending frame, then the rest of the run, then reads again. */
    private int retryPublish() {
        long result = run.offer(reader.type(), reader.segment(), reader.payloadOffset(), reader.payloadLength());
        if (result == Result.BACK_PRESSURED || result == Result.ADMIN_ACTION) {
            loop.activate(this);
            return 0;
        }
        framePending = false;
        place = Place.READING;
        if (result < 0) {
            reject("the topic refused the message: " + Result.describe(result));
            return 1;
        }
        published++;
        if (publishRun()) {
            interest(control != null ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            readFrames();
        }
        return 1;
    }

    /** Forwards ring records while the socket takes them; returns how many. */
    private int forward() {
        if (control != null) {
            return 0; // behind the WELCOME; writable() goes on
        }
        if (writer == null) {
            writer = loop.acquireWriter(maxMessageLength);
        }
        if (writer.hasPending() && !writer.flush(stream)) {
            block();
            return 0;
        }
        int forwarded = 0;
        while (forwarded < FORWARD_BATCH_LIMIT) {
            int room = (writer.freeBytes() - LOSS_FRAME_ROOM) / frameRoom;
            if (room < 1) {
                break;
            }
            int polled = subscriber.poll(forward, Math.min(room, FORWARD_BATCH_LIMIT - forwarded));
            if (polled == 0) {
                break;
            }
            forwarded += polled;
        }
        boolean wrote = writer.hasPending();
        if (wrote && !writer.flush(stream)) {
            block();
            return forwarded + 1;
        }
        loop.releaseWriter(writer, maxMessageLength);
        writer = null;
        if (forwarded > 0 || wrote) {
            if (place != Place.IDLE) {
                place = Place.ACTIVE;
                loop.activate(this);
            }
            return forwarded + (wrote ? 1 : 0);
        }
        if (place != Place.IDLE) {
            place = Place.IDLE;
            loop.idle(this, groupKey());
        }
        return 0;
    }

    /**
     * What this subscription's idle group is keyed by: its topic file, not the topic's name, since two
     * subscriptions of one name read different files when the file was removed and made anew between
     * their joins, and a group's first subscription polls for all of them.
     */
    private Object groupKey() {
        return parkable != null ? parkable.topicFile() : hello.topic();
    }

    private void block() {
        if (place == Place.IDLE) {
            loop.leaveIdle(this, groupKey());
        }
        place = Place.BLOCKED;
        interest(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }

    /** Parks this idle subscription's word with the watch; false when it cannot be woken so. */
    boolean announcePark(RingWatch watch) {
        if (parkable == null || announced) {
            return false;
        }
        announced = watch.add(parkable);
        return announced;
    }

    void withdrawPark() {
        if (announced) {
            announced = false;
            parkable.withdrawLoopPark();
        }
    }

    /** Deadlines and slow checks, every few tens of milliseconds. */
    void timer(long now) {
        if (place == Place.CLOSED) {
            return;
        }
        try {
            if (hello == null && place == Place.READING && now - deadline >= 0) {
                log("closed " + stream.describe() + ": no " + (challenged != null
                    ? "answer to the authentication challenge" : "hello") + " within "
                    + bridge.context().helloTimeout().toMillis() + " ms");
                close();
            } else if (place == Place.CLOSING && now - deadline >= 0) {
                close();
            } else if (framePending && now - lastProbe > EventLoop.SLICE_NANOS) {
                lastProbe = now;
                // Asked without reading: the receive buffer may be full, the client's bytes still unread.
                if (now - waitingSince > DEAD_PUBLISHER_PATIENCE_NANOS && stream.peerClosed()) {
                    log("the publisher is gone and the ring took nothing for "
                        + TimeUnit.NANOSECONDS.toSeconds(DEAD_PUBLISHER_PATIENCE_NANOS)
                        + " s: the frames it sent from here on are not published");
                    close();
                }
            } else if (parkable != null && (place == Place.IDLE || place == Place.ACTIVE)) {
                parkable.checkHeldUp();
            }
        } catch (RuntimeException | InternalError e) {
            fail(e);
        }
    }

    private void refuse(RuntimeException e) {
        log("refused " + hello.role().name().toLowerCase() + " on topic '" + hello.topic() + "' from "
            + stream.describe() + ": " + e.getMessage());
        reject(e.getMessage());
    }

    private void refuseAuth(String what, String reason) {
        log("refused " + challenged.role().name().toLowerCase() + " on topic '" + challenged.topic() + "' from "
            + stream.describe() + ": " + what + " to the authentication challenge");
        reject(reason);
    }

    /**
     * The publisher's END: every frame before it is in the ring. Closes the publisher, answers PUBLISHED
     * with the count, then closes once it is written (or after a second), as after a REJECT.
     */
    private void answerEnd() {
        closeEndpoint();
        place = Place.CLOSING;
        deadline = System.nanoTime() + CLOSING_PATIENCE_NANOS;
        writeLastControl(FrameDescriptor.PUBLISHED, BridgeSession.published(published));
    }

    /** Sends REJECT, then closes once it is written (or after a second). */
    private void reject(String reason) {
        if (place == Place.CLOSED) {
            return;
        }
        String text = reason == null ? "refused" : reason;
        if (text.getBytes(StandardCharsets.UTF_8).length > FrameDescriptor.MAX_CONTROL_LENGTH) {
            text = text.substring(0, Math.min(text.length(), FrameDescriptor.MAX_CONTROL_LENGTH / 4));
        }
        boolean halfWritten = writer != null && writer.hasPending();
        closeEndpoint();
        place = Place.CLOSING;
        deadline = System.nanoTime() + CLOSING_PATIENCE_NANOS;
        if (halfWritten) {
            close(); // a frame is partly written: a REJECT cannot follow it whole
            return;
        }
        writeLastControl(FrameDescriptor.REJECT, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes the session's last frame (REJECT or PUBLISHED) as far as the socket takes it, then closes at
     * once if it is all out, or once the rest is written (or the closing deadline passes).
     */
    private void writeLastControl(int type, byte[] payload) {
        try {
            writeControl(type, payload);
        } catch (TransportException gone) {
            close();
            return;
        }
        if (control == null) {
            close();
        } else {
            interest(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    /** Writes a control frame now as far as the socket takes it; the rest waits in {@link #control}. */
    private void writeControl(int type, String text) {
        writeControl(type, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a control frame of these bytes now as far as the socket takes it; the rest waits. */
    private void writeControl(int type, byte[] bytes) {
        ByteBuffer frame = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH + bytes.length)
            .order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(bytes.length).putInt(type).put(bytes).flip();
        control = frame;
        flushControl();
    }

    private boolean flushControl() {
        stream.write(control);
        if (control.hasRemaining()) {
            return false;
        }
        control = null;
        return true;
    }

    private void interest(int ops) {
        if (key != null && key.isValid()) {
            key.interestOps(ops);
        }
    }

    private void log(String line) {
        bridge.context().log().accept(line);
    }

    /** Closes the publisher or subscriber, keeping the socket (for a REJECT). */
    private void closeEndpoint() {
        if (place == Place.IDLE) {
            loop.leaveIdle(this, groupKey());
        }
        withdrawPark();
        if (publisher != null) {
            try {
                publisher.close();
            } catch (RuntimeException e) {
                log("closing the publisher of " + stream.describe() + ": " + e.getMessage());
            }
            publisher = null;
        }
        if (subscriber != null) {
            try {
                subscriber.close();
            } catch (RuntimeException e) {
                log("closing the subscriber of " + stream.describe() + ": " + e.getMessage());
            }
            subscriber = null;
            parkable = null;
        }
        if (reader != null) {
            loop.releaseReader(reader, maxMessageLength);
            reader = null;
            framePending = false;
        }
        if (writer != null) {
            loop.releaseWriter(writer, maxMessageLength);
            writer = null;
        }
    }

    /** Ends the session now (loop thread). */
    void close() {
        if (place == Place.CLOSED) {
            return;
        }
        closeEndpoint();
        place = Place.CLOSED;
        stream.close();
        loop.removed(this);
        bridge.ended(this);
        ended.countDown();
    }

    @Override
    public void stop() {
        loop.execute(this::close);
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
