package io.ringbus.transport.client;

import io.ringbus.core.Result;
import io.ringbus.transport.ConfirmingPublisher;
import io.ringbus.transport.MalformedFrameException;
import io.ringbus.transport.TransportException;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.frame.FrameDescriptor;
import io.ringbus.transport.frame.FrameWriter;
import io.ringbus.transport.stream.ByteStream;
import io.ringbus.transport.stream.StreamClosedException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A publisher on a stream path: frames messages into a send buffer and writes them to the bridge on
 * the caller's thread, without blocking. The bridge publishes each frame into the topic's ring, in
 * order; while the ring is full the bridge stops reading, the socket's window fills, then this
 * buffer, and {@code offer} returns {@link Result#BACK_PRESSURED}: back-pressure end to end.
 *
 * <p>A position returned here counts the bytes this publisher framed before the message. Bytes the
 * stream did not take at once stay buffered and go out on the next call; {@link #close()} waits for
 * them. When the connection breaks, messages already accepted stay buffered (whole frames only) and
 * are sent first once the bridge is back; while it is away {@code offer} returns
 * {@link Result#NOT_CONNECTED}. {@link #closeAndConfirm} ends with the bridge's word that the messages are
 * in the ring ({@code END}, {@code PUBLISHED}); {@link #close()} does not wait for it.
 */
public final class StreamPublisher implements ConfirmingPublisher {
    /** With batching, an offer writes once this many bytes are waiting. */
    public static final int BATCH_BYTES = 16 * 1024;
    private static final long CLOSE_PATIENCE_NANOS = 10_000_000_000L;
    /** The longest single wait of closeAndConfirm, between looks at its deadline and at close(). */
    private static final long CONFIRM_SLICE_NANOS = 100_000_000L;
    private static final byte[] NOTHING = new byte[0];

    private final StreamConnection connection;
    private final FrameWriter writer;
    private final int maxMessageLength;
    private final ByteBuffer probe = ByteBuffer.allocateDirect(64);
    /**
     * Whether to look for end of stream before each write: before each offer, or with batching before
     * each write of a batch. A pipe, FIFO or Unix socket whose reader is gone fails the write itself
     * (EPIPE), which takes the frame back; TCP accepts the first write after the peer's FIN and loses it,
     * and a message queue with room accepts a write whoever reads it, so there a non-blocking read goes
     * first.
     */
    private final boolean probeBeforeEachWrite;
    /** Whether writes wait for {@link #BATCH_BYTES} or the background flusher (see TransportContext). */
    private final boolean batching;
    private final Runnable onClose;
    private long framedBytes;
    private long claimPosition = -1;
    private long claimOffset;
    /** Taken by every call and by the background flusher; uncontended in the common case. */
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean closed;
    /** closeAndConfirm is under way (or done); close() from another thread then ends its wait. */
    private volatile boolean confirming;
    /** close() was called while closeAndConfirm waited. */
    private volatile boolean abandoned;

    StreamPublisher(StreamConnection connection, boolean batching, Runnable onClose) {
        this.batching = batching;
        this.connection = connection;
        this.maxMessageLength = connection.open().maxMessageLength();
        // TCP: a write into a connection the bridge closed succeeds. Message queues: a write succeeds while
        // the queue has room, whoever reads it; the bridge's close is a message on the other queue.
        this.probeBeforeEachWrite = connection.uri().kind() == TransportUri.Kind.TCP
            || connection.uri().kind() == TransportUri.Kind.MQ;
        this.writer = new FrameWriter(maxMessageLength);
        this.onClose = onClose;
    }

    @Override
    public long offer(MemorySegment source, long offset, int length) {
        return offer(0, source, offset, length);
    }

    @Override
    public long offer(int typeId, MemorySegment source, long offset, int length) {
        if (typeId < 0) {
            throw new IllegalArgumentException("typeId " + typeId + " is negative; negative types are the frames'"
                + " own");
        }
        lock.lock();
        try {
            long ready = prepare(length);
            if (ready < 0) {
                return ready;
            }
            if (!writer.append(typeId, source, offset, length)) {
                return backPressured();
            }
            return sent(length);
        } finally {
            lock.unlock();
        }
    }

    // Not delegated to the segment form through MemorySegment.ofArray: the wrapper it makes is not
    // always scalar-replaced, and StreamAllocationTest then measures 72 bytes per message.
    @Override
    public long offer(byte[] source, int offset, int length) {
        lock.lock();
        try {
            long ready = prepare(length);
            if (ready < 0) {
                return ready;
            }
            if (!writer.append(0, source, offset, length)) {
                return backPressured();
            }
            return sent(length);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long tryClaim(int length) {
        return tryClaim(0, length);
    }

    @Override
    public long tryClaim(int typeId, int length) {
        if (typeId < 0) {
            throw new IllegalArgumentException("typeId " + typeId + " is negative; negative types are the frames'"
                + " own");
        }
        lock.lock();
        try {
            long ready = prepare(length);
            if (ready < 0) {
                return ready;
            }
            long payload = writer.reserve(typeId, length);
            if (payload < 0) {
                return backPressured();
            }
            claimOffset = payload;
            claimPosition = framedBytes;
            return claimPosition;
        } finally {
            lock.unlock();
        }
    }

    private long backPressured() {
        BackgroundFlusher.schedule(this);
        return Result.BACK_PRESSURED;
    }

    @Override
    public void commit(long position) {
        lock.lock();
        try {
            checkClaim(position);
            int length = writer.complete();
            claimPosition = -1;
            sent(length);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void abort(long position) {
        lock.lock();
        try {
            checkClaim(position);
            writer.cancel();
            claimPosition = -1;
        } finally {
            lock.unlock();
        }
    }

    /** Called by the background flusher: writes what it can, and leaves its list when nothing is left. */
    void flushFromBackground() {
        if (!lock.tryLock()) {
            return;
        }
        try {
            if (!closed && connection.isConnected()) {
                flush();
            }
            if (closed || !connection.isConnected() || !writer.hasPending()) {
                BackgroundFlusher.done(this);
            }
        } finally {
            lock.unlock();
        }
    }

    private void checkClaim(long position) {
        if (position != claimPosition || claimPosition < 0) {
            throw new IllegalStateException("position " + position + " is not this publisher's open claim");
        }
    }

    @Override
    public MemorySegment buffer() {
        return writer.segment();
    }

    @Override
    public long payloadOffset(long position) {
        checkClaim(position);
        return claimOffset;
    }

    @Override
    public int maxMessageLength() {
        return maxMessageLength;
    }

    /** Checks state and length, writes what is pending; a negative result code when not ready. */
    private long prepare(int length) {
        if (closed) {
            return Result.CLOSED;
        }
        if (length < 0 || length > maxMessageLength) {
            throw new IllegalArgumentException("message of " + length + " bytes; the topic's maximum is "
                + maxMessageLength);
        }
        if (claimPosition >= 0) {
            throw new IllegalStateException("a claimed message is still open; commit or abort it first");
        }
        ByteStream stream = connection.streamOrReconnect();
        if (stream == null) {
            return Result.NOT_CONNECTED;
        }
        if (probeBeforeEachWrite && !batching) {
            checkLiveness(stream);
        }
        if (!connection.isConnected()) {
            return Result.NOT_CONNECTED;
        }
        if (writer.hasPending() && (!batching || writer.pendingBytes() >= BATCH_BYTES
            || !writer.hasRoomFor(length))) {
            flush();
            if (!connection.isConnected()) {
                return Result.NOT_CONNECTED;
            }
        }
        return 0;
    }

    /**
     * Looks for end of stream before every message: a bridge that went away is reported by the first
     * call after it did, and no message is written into a TCP connection the bridge already closed
     * (such a write succeeds, and the message would be lost). One non-blocking read per call.
     */
    private void checkLiveness(ByteStream stream) {
        probe.clear();
        try {
            int read = stream.read(probe);
            if (read < 0) {
                disconnected("the bridge closed the connection");
            } else if (read > 0) {
                disconnected("the bridge sent " + read + " unexpected bytes (a rejection?)");
            }
        } catch (StreamClosedException e) {
            disconnected(e.getMessage());
        }
    }

    /**
     * Writes the frame just appended (and anything before it). If the stream broke before any byte of
     * it went out, the frame is taken back and the caller gets NOT_CONNECTED: nothing was accepted.
     */
    private long sent(int length) {
        int frameLength = FrameDescriptor.HEADER_LENGTH + length;
        if (batching && writer.pendingBytes() < BATCH_BYTES) {
            if (writer.pendingBytes() == frameLength) {
                BackgroundFlusher.schedule(this); // the first frame of a batch: the flusher takes it from here
            }
            long position = framedBytes;
            framedBytes += frameLength;
            return position;
        }
        flush();
        if (!connection.isConnected() && writer.dropUnsentLastFrame(frameLength)) {
            return Result.NOT_CONNECTED;
        }
        long position = framedBytes;
        framedBytes += frameLength;
        return position;
    }

    private void flush() {
        ByteStream stream = connection.stream();
        if (stream == null) {
            return;
        }
        if (probeBeforeEachWrite && batching) {
            // A batch goes out here, not in offer: look for the bridge's end of stream before writing it,
            // or a batch written into a TCP connection or a queue of a dead bridge would be lost unseen,
            // and close would report every message sent.
            checkLiveness(stream);
            if (!connection.isConnected()) {
                return;
            }
        }
        try {
            if (!writer.flush(stream)) {
                BackgroundFlusher.schedule(this);
            }
        } catch (StreamClosedException e) {
            disconnected(e.getMessage());
        }
    }

    private void disconnected(String reason) {
        writer.rewindToWholeFrames();
        connection.broken(reason);
    }

    /** Whether the bridge is connected now. */
    public boolean isConnected() {
        return connection.isConnected();
    }

    /** Bytes accepted but not yet written to the stream. */
    public int pendingBytes() {
        return writer.pendingBytes();
    }

    /**
     * Writes buffered messages, waits until the stream took them (or 10 s pass without progress, or
     * the connection breaks), then closes. Idempotent.
     */
    @Override
    public void close() {
        // closeAndConfirm holds the lock while it waits for the bridge, for as long as it was told to: end
        // that wait (it throws) rather than wait behind it; so a Ctrl-C hook that closes is never stuck.
        try {
            while (!lock.tryLock(10, TimeUnit.MILLISECONDS)) {
                if (confirming) {
                    abandoned = true;
                    ByteStream stream = connection.stream();
                    if (stream != null) {
                        stream.close(); // wakes the waiting thread
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lock.lock();
        }
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                drain();
            } finally {
                connection.close();
                onClose.run();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Why a frame and not the end of stream alone: a bridge that closes after publishing what it read
     * and a bridge killed after reading the bytes into its buffer, before publishing them, both close with
     * an empty receive queue, so the client sees the same clean end of stream (FIN) from either; only a
     * bridge killed with bytes still unread resets the connection. And FIFOs, pipes and message queues
     * have no half-close at all. So the bridge says it in a frame, on every path, in one round trip per
     * connection; a bridge that cannot (its WELCOME lacks {@code end=1}) gets the plain close.
     */
    @Override
    public long closeAndConfirm(long timeoutNanos) {
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("timeout " + timeoutNanos + " ns is negative");
        }
        confirming = true;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the publisher on " + connection.uri() + " is closed already");
            }
            if (claimPosition >= 0) {
                throw new IllegalStateException("a claimed message is still open; commit or abort it first");
            }
            closed = true; // offers return CLOSED from here
            try {
                return confirm(System.nanoTime(), timeoutNanos);
            } finally {
                connection.close();
                onClose.run();
            }
        } finally {
            lock.unlock();
        }
    }

    private long confirm(long start, long timeoutNanos) {
        ByteStream stream = connection.stream();
        if (stream == null) {
            throw unconfirmed("it went away before it answered END (" + writer.pendingBytes() + " bytes unsent)");
        }
        if (!"1".equals(connection.welcome().properties().get("end"))) {
            drain(); // a bridge of an older release: the close it knows
            return NOT_CONFIRMED;
        }
        if (probeBeforeEachWrite) {
            // As before each batch: a bridge that already went away is reported as such (the listener is
            // told), not found out only when END goes unanswered.
            checkLiveness(stream);
            if (!connection.isConnected()) {
                throw unconfirmed("it went away before the last messages went out (it closed the connection)");
            }
        }
        while (!writer.append(FrameDescriptor.END, NOTHING, 0, 0)) {
            writeOrWait(stream, start, timeoutNanos); // no room for it behind the pending messages yet
        }
        while (writer.hasPending()) {
            writeOrWait(stream, start, timeoutNanos);
        }
        ByteBuffer header = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        readAnswer(stream, header, start, timeoutNanos);
        int length = header.getInt(FrameDescriptor.LENGTH_OFFSET);
        int type = header.getInt(FrameDescriptor.TYPE_OFFSET);
        if (type == FrameDescriptor.PUBLISHED && length == Long.BYTES) {
            ByteBuffer count = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readAnswer(stream, count, start, timeoutNanos);
            return count.getLong(0);
        }
        if (type == FrameDescriptor.REJECT && length >= 0 && length <= FrameDescriptor.MAX_CONTROL_LENGTH) {
            ByteBuffer reason = ByteBuffer.allocate(length);
            readAnswer(stream, reason, start, timeoutNanos);
            throw unconfirmed("it refused a message: " + new String(reason.array(), StandardCharsets.UTF_8));
        }
        throw new MalformedFrameException("the bridge at " + connection.uri() + " answered END with "
            + FrameDescriptor.typeName(type) + " of " + length + " bytes, not PUBLISHED");
    }

    /** Writes what the stream takes; when it takes nothing, waits for room (a slice at most). */
    private void writeOrWait(ByteStream stream, long start, long timeoutNanos) {
        int before = writer.pendingBytes();
        try {
            writer.flush(stream);
        } catch (StreamClosedException e) {
            throw unconfirmed(abandoned ? "close() was called meanwhile" : wentAway(e));
        }
        if (writer.pendingBytes() == before) {
            stream.awaitWritable(slice(start, timeoutNanos, "to take the messages"));
        }
    }

    /** Reads until {@code into} is full, waiting (a slice at a time) while nothing comes. */
    private void readAnswer(ByteStream stream, ByteBuffer into, long start, long timeoutNanos) {
        while (into.hasRemaining()) {
            int read;
            try {
                read = stream.read(into);
            } catch (StreamClosedException e) {
                throw unconfirmed(abandoned ? "close() was called meanwhile" : wentAway(e));
            }
            if (read < 0) {
                throw unconfirmed(abandoned ? "close() was called meanwhile"
                    : "it went away before it answered END (it closed the connection: it died or was stopped)");
            }
            if (read == 0) {
                stream.awaitReadable(slice(start, timeoutNanos, "to answer END"));
            }
        }
    }

    /** The next wait: a slice, or what is left of the timeout; throws once it passed or close() was called. */
    private long slice(long start, long timeoutNanos, String what) {
        if (abandoned) {
            throw unconfirmed("close() was called meanwhile");
        }
        if (timeoutNanos == NO_TIMEOUT) {
            return CONFIRM_SLICE_NANOS;
        }
        long left = timeoutNanos - (System.nanoTime() - start);
        if (left <= 0) {
            throw unconfirmed("it took longer than " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms " + what
                + " (a full ring, a stopped bridge?)");
        }
        return Math.min(left, CONFIRM_SLICE_NANOS);
    }

    /** One wording for every way the stream ends under a confirm wait, so a user (and a script) reads one. */
    private static String wentAway(StreamClosedException e) {
        return "it went away before it answered END (" + e.getMessage() + ")";
    }

    private TransportException unconfirmed(String reason) {
        return new TransportException("The bridge at " + connection.uri() + " did not confirm that this"
            + " connection's messages are in the ring: " + reason);
    }

    private void drain() {
        long lastProgress = System.nanoTime();
        while (writer.hasPending()) {
            ByteStream stream = connection.stream();
            if (stream == null) {
                System.err.println("ringbus: closing a publisher on " + connection.uri() + " with "
                    + writer.pendingBytes() + " bytes unsent: the bridge is gone");
                return;
            }
            int before = writer.pendingBytes();
            flush();
            if (writer.pendingBytes() < before) {
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > CLOSE_PATIENCE_NANOS) {
                System.err.println("ringbus: closing a publisher on " + connection.uri() + " with "
                    + writer.pendingBytes() + " bytes unsent: the bridge took nothing for 10 s");
                return;
            } else if (connection.stream() != null) {
                connection.stream().awaitWritable(100_000_000L);
            }
        }
    }
}
