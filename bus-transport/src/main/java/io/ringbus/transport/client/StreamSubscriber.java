package io.ringbus.transport.client;

import io.ringbus.core.CorruptRingException;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.transport.MalformedFrameException;
import io.ringbus.transport.frame.FrameDescriptor;
import io.ringbus.transport.frame.FrameReader;
import io.ringbus.transport.stream.ByteStream;
import io.ringbus.transport.stream.SpinBeforeWait;
import io.ringbus.transport.stream.StreamClosedException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.concurrent.IdleStrategy;

/**
 * A subscriber on a stream path: the bridge subscribes to the topic's ring for it and writes each
 * message as a frame; {@code poll} reads frames on the caller's thread, without blocking, and hands
 * the handler a view of the payload in the receive buffer (zero-copy from there).
 *
 * <p>A slow reader back-pressures through the stream's window: the bridge stops reading the ring
 * until this side catches up, so the ring's slow-consumer policy applies as in shared memory, and an
 * eviction arrives as a {@code LOSS} frame for the {@link io.ringbus.core.LossListener}. When the
 * connection breaks, {@code poll} delivers nothing and reconnects on a later call; messages published
 * while it was away are not delivered unless the subscriber is durable.
 *
 * <p>Closing a durable subscriber says BYE and waits (up to 2 s) until the bridge has closed the
 * subscription, so that its successor resumes right after the last message the bridge sent here and
 * messages published after {@code close} returns go to the successor. Messages sent here but not
 * polled before {@code close} are not delivered again (as after a crash: they were in flight).
 *
 * <p>With {@link SubscriberConfig#explicitCommit explicit commits} the bridge's subscription
 * follows this side instead: {@link #commit()} sends a {@code COMMIT} frame with the number of
 * messages this connection delivered, and the bridge commits its cursor to the end of that message.
 * So a durable successor (after a crash, a close or a reconnection) resumes right after the last
 * message delivered before a commit whose frame was written, however much was in flight.
 *
 * <p>{@link #position()} counts the frame bytes received.
 */
public final class StreamSubscriber implements Subscriber {
    private static final long WAIT_SLICE_NANOS = 100_000_000L;
    private static final long BYE_PATIENCE_NANOS = 2_000_000_000L;
    /** How long {@link #commit()} waits for room in the stream before it leaves its frame to the next call. */
    private static final long COMMIT_PATIENCE_NANOS = 1_000_000_000L;

    private final StreamConnection connection;
    private final SubscriberConfig config;
    private final FrameReader reader;
    private final IdleStrategy idleStrategy;
    private final Runnable onClose;
    private long receivedBytes;
    private long missedBytes;
    private volatile boolean closed;
    private final boolean explicitCommit;
    /** The connection that delivered {@link #sessionDelivered} messages; a new one starts counting again. */
    private ByteStream session;
    /** Messages delivered on {@link #session}. */
    private long sessionDelivered;
    /** The count in the last COMMIT frame made. */
    private long committed;
    /** A COMMIT frame, or what is left of it to write; guarded by itself (close writes BYE after it). */
    private final ByteBuffer commitFrame = ByteBuffer.allocateDirect(FrameDescriptor.HEADER_LENGTH + Long.BYTES)
        .order(ByteOrder.LITTLE_ENDIAN).limit(0);

    StreamSubscriber(StreamConnection connection, SubscriberConfig config, Runnable onClose) {
        this.connection = connection;
        this.config = config;
        int maxMessageLength = connection.open().maxMessageLength();
        this.reader = new FrameReader(maxMessageLength);
        this.idleStrategy = config.newIdleStrategy();
        this.onClose = onClose;
        this.explicitCommit = config.explicitCommit();
    }

    @Override
    public int poll(MessageHandler handler, int limit) {
        if (closed) {
            return 0;
        }
        ByteStream stream = connection.streamOrReconnect();
        if (stream == null) {
            return 0;
        }
        if (stream != session) {
            newSession(stream);
        }
        int delivered = deliver(handler, limit);
        if (delivered < limit && connection.isConnected()) {
            int read;
            try {
                read = reader.fill(stream);
            } catch (StreamClosedException e) {
                return delivered;
            }
            if (read < 0) {
                disconnected("the bridge closed the connection");
                return delivered;
            }
            if (read > 0) {
                delivered += deliver(handler, limit - delivered);
            }
        }
        return delivered;
    }

    private int deliver(MessageHandler handler, int limit) {
        int delivered = 0;
        try {
            while (delivered < limit && reader.next()) {
                int type = reader.type();
                if (FrameDescriptor.isMessage(type)) {
                    receivedBytes += FrameDescriptor.HEADER_LENGTH + reader.payloadLength();
                    sessionDelivered++;
                    delivered++;
                    handler.onMessage(type, reader.segment(), reader.payloadOffset(), reader.payloadLength());
                } else if (type == FrameDescriptor.LOSS && reader.payloadLength() == 3 * Long.BYTES) {
                    long bytes = reader.payloadLong(2 * Long.BYTES);
                    missedBytes += bytes;
                    config.lossListener().onLoss(reader.payloadLong(0), reader.payloadLong(Long.BYTES), bytes);
                } else if (type == FrameDescriptor.REJECT) {
                    disconnected("the bridge ended the subscription: " + reader.payloadText());
                    return delivered;
                } else {
                    throw new MalformedFrameException("unexpected " + FrameDescriptor.typeName(type) + " frame");
                }
            }
        } catch (MalformedFrameException e) {
            disconnected("malformed frame from the bridge: " + e.getMessage());
            if (closed) {
                return delivered; // close() from another thread read part of the stream while saying BYE
            }
            throw new CorruptRingException("The bridge at " + connection.uri() + " sent a malformed frame ("
                + e.getMessage() + "); the connection was closed and will be opened again");
        }
        return delivered;
    }

    private void disconnected(String reason) {
        reader.reset();
        connection.broken(reason);
    }

    @Override
    public int await(MessageHandler handler, int limit, long timeoutNanos) {
        long start = System.nanoTime();
        long deadline = start + timeoutNanos;
        // Blocking mode spins briefly first: a reply that comes within it costs no wakeup.
        long spinUntil = start + Math.min(Math.max(0, timeoutNanos), SpinBeforeWait.NANOS);
        idleStrategy.reset();
        while (!closed) {
            int delivered = poll(handler, limit);
            if (delivered > 0) {
                return delivered;
            }
            if (Thread.currentThread().isInterrupted()) {
                return 0;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return 0;
            }
            ByteStream stream = connection.stream();
            if (stream == null) {
                java.util.concurrent.locks.LockSupport.parkNanos(Math.min(left, WAIT_SLICE_NANOS));
            } else if (config.wakeup() == WakeupMode.SPIN) {
                idleStrategy.idle();
            } else if (System.nanoTime() - spinUntil < 0) {
                SpinBeforeWait.pause();
            } else {
                stream.awaitReadable(Math.min(left, WAIT_SLICE_NANOS));
            }
        }
        return 0;
    }

    /** A new connection: the bridge counts the messages it sends on it from zero. */
    private void newSession(ByteStream stream) {
        synchronized (commitFrame) {
            session = stream;
            sessionDelivered = 0;
            committed = 0;
            commitFrame.clear().limit(0); // a frame for the last connection means nothing on this one
        }
    }

    @Override
    public void commit() {
        if (!explicitCommit || closed) {
            return;
        }
        synchronized (commitFrame) {
            ByteStream stream = connection.stream();
            if (stream == null || stream != session) {
                return; // that connection is gone: what it delivered after its last commit comes again
            }
            if (commitFrame.hasRemaining() && !writeCommitFrame(stream)) {
                return;
            }
            if (sessionDelivered == committed) {
                return;
            }
            commitFrame.clear();
            commitFrame.putInt(Long.BYTES).putInt(FrameDescriptor.COMMIT).putLong(sessionDelivered).flip();
            committed = sessionDelivered;
            writeCommitFrame(stream);
        }
    }

    /** Writes what is left of the COMMIT frame, waiting a while for room; whether it is all written. */
    private boolean writeCommitFrame(ByteStream stream) {
        long deadline = System.nanoTime() + COMMIT_PATIENCE_NANOS;
        try {
            while (commitFrame.hasRemaining()) {
                if (stream.write(commitFrame) == 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || closed) {
                        return false;
                    }
                    stream.awaitWritable(Math.min(left, WAIT_SLICE_NANOS));
                }
            }
            return true;
        } catch (StreamClosedException e) {
            disconnected("the bridge closed the connection");
            return false;
        }
    }

    @Override
    public long position() {
        return receivedBytes;
    }

    @Override
    public long missedBytes() {
        return missedBytes;
    }

    /** Whether the bridge is connected now. */
    public boolean isConnected() {
        return connection.isConnected();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (config.durableName() != null) {
                sayBye();
            }
        } finally {
            connection.close();
            onClose.run();
        }
    }

    /** Tells the bridge this durable subscriber is closing; waits until it let go of the name. */
    private void sayBye() {
        ByteStream stream = connection.stream();
        if (stream == null) {
            return;
        }
        synchronized (commitFrame) {
            if (commitFrame.hasRemaining() && stream == session && !writeCommitFrame(stream)) {
                return; // a BYE after part of a frame would be garbage: the bridge sees the end of stream
            }
        }
        ByteBuffer bye = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(0).putInt(FrameDescriptor.BYE).flip();
        ByteBuffer discard = ByteBuffer.allocateDirect(4096); // direct: no stream scratch shared with a poller
        long deadline = System.nanoTime() + BYE_PATIENCE_NANOS;
        try {
            while (true) {
                if (bye.hasRemaining()) {
                    stream.write(bye);
                }
                discard.clear();
                int read = stream.read(discard);
                if (read < 0) {
                    return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                if (read == 0) {
                    if (bye.hasRemaining()) {
                        stream.awaitWritable(Math.min(left, 1_000_000L));
                    } else {
                        stream.awaitReadable(Math.min(left, WAIT_SLICE_NANOS));
                    }
                }
            }
        } catch (StreamClosedException e) {
            // The bridge is gone already: nothing more to wait for.
        }
    }
}
