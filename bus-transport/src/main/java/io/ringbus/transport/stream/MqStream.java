package io.ringbus.transport.stream;

import io.ringbus.core.os.FileDescriptors;
import io.ringbus.core.os.MessageQueues;
import io.ringbus.core.os.PollSet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ByteStream} over a pair of POSIX message queues: one read, one written. The bytes written are
 * cut into queue messages of at most the written queue's message size; the reader joins them again, so
 * frames of any length travel (a frame may span messages, and a message may hold many frames).
 *
 * <p><b>End of stream.</b> A queue has no hang-up: nothing tells a reader that the writer closed, or a
 * writer that the reader left. So {@link #close()} sends an <em>empty message</em> (the close marker)
 * after the last bytes; the peer reads what came before it, then -1, and from then on its writes throw
 * {@link StreamClosedException}. If the queue is full at close, {@code MqLinger} keeps the queue and
 * sends the marker once there is room. A peer that dies sends no marker: its process is watched through a
 * pidfd ({@code pidfd_open}), which {@link #awaitReadable}, {@link #awaitWritable} and {@link #peerClosed}
 * poll beside the queues, and which {@link #read} looks at (at most once a millisecond) when it finds the
 * queue empty, for readers that never wait; the bytes it sent before dying are still read, then -1.
 *
 * <p><b>Peer closed while only writing.</b> A writer whose queue stays full (the peer stopped reading
 * because it closed) learns of the close from the other queue: {@code awaitWritable} also polls the read
 * queue and, when no reader is at work, reads ahead into this stream's own buffer (at most the read
 * queue's size and two messages more) to find the marker; {@link #read} then delivers those bytes first.
 *
 * <p><b>Memory.</b> Direct buffers go to {@code mq_send}/{@code mq_receive} as they are (a read straight
 * into the caller's buffer when it has room for a whole message); heap buffers through this stream's
 * native buffers. Nothing is allocated per call. Never pass a view of a mapped topic file.
 *
 * <p><b>Closing.</b> As {@link FdStream}: an {@code eventfd} wakes waiting threads, and the descriptors are
 * released once, after the last call in flight.
 */
public final class MqStream implements ByteStream {
    private static final MemorySegment MARKER = Arena.global().allocate(8);
    /** How long a waiting writer sleeps when the reader holds the read side and the write queue is full. */
    private static final long READER_BUSY_NANOS = 1_000_000L;
    /**
     * How often a read that finds the queue empty looks at the peer's pidfd: a reader that never waits
     * (a bridge session between deliveries, a spinning client) learns of a death only this way.
     */
    private static final long DEATH_CHECK_NANOS = 1_000_000L;

    private final int readMq;
    private final int writeMq;
    private final int peerFd;
    private final long peerPid;
    private final int wakeFd;
    /** Signalled when a writer read ahead: the reader may be polling a queue that it emptied. */
    private final int nudgeFd;
    private final int readMessageSize;
    private final int writeMessageSize;
    private final String description;
    private final CloseGuard guard = new CloseGuard(this::release);

    private final ReentrantLock readLock = new ReentrantLock();
    /** Received bytes not yet read: [inboxStart, inboxEnd). Guarded by readLock. */
    private final MemorySegment inbox;
    private int inboxStart;
    private int inboxEnd;
    /** The close marker was received (guarded by readLock). */
    private boolean endOfStream;
    /** The peer sent its close marker: it will neither send nor read again. */
    private volatile boolean peerClosedMarker;
    /** The peer's process has exited. */
    private volatile boolean peerDead;
    private final PollSet readPoll = new PollSet(4);
    private final PollSet writePoll = new PollSet(4);
    /** The peer's pidfd alone, for the read side's look between waits (guarded by readLock). */
    private final PollSet deathPoll = new PollSet(1);
    private long nextDeathCheckNanos;
    /** When a write that found the queue full may next look at the peer's pidfd (racy: at worst a look more). */
    private long nextWriteDeathCheckNanos;
    private final MemorySegment nudgeScratch = Arena.ofAuto().allocate(8);
    /** Used by the writing thread only, for heap buffers. */
    private final MemorySegment writeScratch;
    private ByteBuffer lastReadBuffer;
    private MemorySegment lastReadSegment;
    private ByteBuffer lastWriteBuffer;
    private MemorySegment lastWriteSegment;

    private MqStream(int readMq, int writeMq, int peerFd, long peerPid, int wakeFd, int nudgeFd, String description) {
        this.readMq = readMq;
        this.writeMq = writeMq;
        this.peerFd = peerFd;
        this.peerPid = peerPid;
        this.wakeFd = wakeFd;
        this.nudgeFd = nudgeFd;
        this.description = description;
        MessageQueues.Attributes read = MessageQueues.attributes(readMq);
        MessageQueues.Attributes write = MessageQueues.attributes(writeMq);
        this.readMessageSize = Math.toIntExact(read.messageSize());
        this.writeMessageSize = Math.toIntExact(write.messageSize());
        this.inbox = Arena.ofAuto().allocate((read.maxMessages() + 2) * read.messageSize(), 8);
        this.writeScratch = Arena.ofAuto().allocate(writeMessageSize, 8);
        readPoll.set(0, readMq, FileDescriptors.POLL_IN);
        readPoll.set(1, peerFd, FileDescriptors.POLL_IN);
        readPoll.set(2, wakeFd, FileDescriptors.POLL_IN);
        readPoll.set(3, nudgeFd, FileDescriptors.POLL_IN);
        writePoll.set(0, writeMq, FileDescriptors.POLL_OUT);
        writePoll.set(2, peerFd, FileDescriptors.POLL_IN);
        writePoll.set(3, wakeFd, FileDescriptors.POLL_IN);
        deathPoll.set(0, peerFd, FileDescriptors.POLL_IN);
    }

    /**
     * A stream over two open queues, which it takes over (closing them at once if this fails).
     *
     * @param readMq      the queue the peer writes
     * @param writeMq     the queue the peer reads
     * @param peerPid     the peer's process, watched for its death; 0 or less when it cannot be watched
     * @param description who is on the other end, for {@link #describe()}
     * @throws io.ringbus.core.os.SharedFileException out of descriptors for the eventfds
     */
    public static MqStream adopt(int readMq, int writeMq, long peerPid, String description) {
        int peerFd = -1;
        int wakeFd = -1;
        int nudgeFd = -1;
        try {
            if (peerPid > 0) {
                int watched = MessageQueues.watchProcess(peerPid);
                peerFd = watched >= 0 ? watched : -1; // ESRCH: another PID namespace; markers alone then
            }
            wakeFd = FileDescriptors.newWakeFd();
            nudgeFd = FileDescriptors.newWakeFd();
            return new MqStream(readMq, writeMq, peerFd, peerPid, wakeFd, nudgeFd, description);
        } catch (RuntimeException | Error e) {
            for (int fd : new int[] {readMq, writeMq, peerFd, wakeFd, nudgeFd}) {
                if (fd >= 0) {
                    FileDescriptors.close(fd);
                }
            }
            throw e;
        }
    }

    @Override
    public int read(ByteBuffer destination) {
        if (destination.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        if (!guard.enter()) {
            throw closed("read from");
        }
        readLock.lock();
        try {
            if (!destination.hasRemaining()) {
                return 0;
            }
            if (inboxStart < inboxEnd) {
                return fromInbox(destination);
            }
            if (endOfStream) {
                return -1;
            }
            int total = 0;
            while (destination.isDirect() && destination.remaining() >= readMessageSize) {
                if (destination != lastReadBuffer) {
                    lastReadSegment = MemorySegment.ofBuffer(destination.duplicate().clear());
                    lastReadBuffer = destination;
                }
                int position = destination.position();
                long received = MessageQueues.receive(readMq, lastReadSegment, position, destination.remaining());
                if (received > 0) {
                    destination.position(position + (int) received);
                    total += (int) received;
                    continue;
                }
                if (total == 0) {
                    return ended(received);
                }
                if (received == 0) {
                    // The peer's close marker right behind its last bytes: those go up now, the end with the next
                    // read. (Returning the bytes alone lost the marker, and a session read on for ever.)
                    endOfStream = true;
                    peerClosedMarker = true;
                }
                return total;
            }
            if (total > 0) {
                return total;
            }
            inboxStart = 0;
            inboxEnd = 0;
            long received = MessageQueues.receive(readMq, inbox, 0, inbox.byteSize());
            if (received > 0) {
                inboxEnd = (int) received;
                return fromInbox(destination);
            }
            return ended(received);
        } finally {
            readLock.unlock();
            guard.exit();
        }
    }

    /** What a receive that got no bytes means: the marker (-1), nothing yet (0, or -1 once the peer died). */
    private int ended(long received) {
        if (received == 0) {
            endOfStream = true;
            peerClosedMarker = true;
            return -1;
        }
        if (received == -MessageQueues.EAGAIN) {
            if (peerDead) {
                endOfStream = true; // dead and nothing left: it sent all it ever will
                return -1;
            }
            lookForDeath();
            return 0; // if it died, the next read receives what it sent last, then ends
        }
        throw new StreamClosedException(description + ": mq_receive failed: "
            + FileDescriptors.describeError((int) -received));
    }

    /** Sets peerDead if the peer's pidfd says it exited; at most every DEATH_CHECK_NANOS (under readLock). */
    private void lookForDeath() {
        if (peerFd < 0) {
            return;
        }
        long now = System.nanoTime();
        if (now - nextDeathCheckNanos < 0) {
            return;
        }
        nextDeathCheckNanos = now + DEATH_CHECK_NANOS;
        if (deathPoll.poll(0) > 0 && deathPoll.events(0) != 0) {
            peerDead = true;
        }
    }

    private int fromInbox(ByteBuffer destination) {
        int count = Math.min(destination.remaining(), inboxEnd - inboxStart);
        MemorySegment.copy(inbox, inboxStart, MemorySegment.ofBuffer(destination), 0, count);
        destination.position(destination.position() + count);
        inboxStart += count;
        return count;
    }

    /**
     * Receives into the inbox while it has room for a whole message and the queue has one (under
     * readLock): what lets a writer or {@link #peerClosed} find the marker behind unread bytes.
     *
     * @return whether anything was received
     */
    private boolean readAhead() {
        boolean got = false;
        while (!endOfStream) {
            if (inboxStart == inboxEnd) {
                inboxStart = 0;
                inboxEnd = 0;
            } else if (inbox.byteSize() - inboxEnd < readMessageSize && inboxStart > 0) {
                MemorySegment.copy(inbox, inboxStart, inbox, 0, inboxEnd - inboxStart);
                inboxEnd -= inboxStart;
                inboxStart = 0;
            }
            long room = inbox.byteSize() - inboxEnd;
            if (room < readMessageSize) {
                return got;
            }
            long received = MessageQueues.receive(readMq, inbox, inboxEnd, room);
            if (received < 0) {
                return got;
            }
            got = true;
            if (received == 0) {
                endOfStream = true;
                peerClosedMarker = true;
            } else {
                inboxEnd += (int) received;
            }
        }
        return got;
    }

    private boolean inboxHasRoom() {
        return inbox.byteSize() - (inboxEnd - inboxStart) >= readMessageSize;
    }

    @Override
    public int write(ByteBuffer source) {
        if (!guard.enter()) {
            throw closed("write to");
        }
        try {
            if (peerGone()) {
                throw peerClosedException();
            }
            int total = 0;
            while (source.hasRemaining()) {
                int chunk = Math.min(source.remaining(), writeMessageSize);
                int position = source.position();
                int result;
                if (source.isDirect()) {
                    if (source != lastWriteBuffer) {
                        lastWriteSegment = MemorySegment.ofBuffer(source.duplicate().clear());
                        lastWriteBuffer = source;
                    }
                    result = MessageQueues.send(writeMq, lastWriteSegment, position, chunk);
                } else {
                    MemorySegment.copy(MemorySegment.ofBuffer(source), 0, writeScratch, 0, chunk);
                    result = MessageQueues.send(writeMq, writeScratch, 0, chunk);
                }
                if (result == 0) {
                    source.position(position + chunk);
                    total += chunk;
                    continue;
                }
                if (result == -MessageQueues.EAGAIN) {
                    // A full queue may be full because its reader died: a writer that never waits (a batching
                    // client publisher) would otherwise be told "nothing taken" for ever.
                    if (total == 0 && (lookForMarker() | lookForDeathWhileWriting()) && peerGone()) {
                        throw peerClosedException();
                    }
                    return total;
                }
                throw new StreamClosedException(description + ": mq_send failed: "
                    + FileDescriptors.describeError(-result));
            }
            return total;
        } finally {
            guard.exit();
        }
    }

    /**
     * From a writer whose queue is full: sets peerDead if the peer's pidfd says it exited, at most every
     * DEATH_CHECK_NANOS; whether it did. Not under readLock (a reader may be at work): the poll is the
     * thread's own.
     */
    private boolean lookForDeathWhileWriting() {
        if (peerFd < 0) {
            return false;
        }
        long now = System.nanoTime();
        if (now - nextWriteDeathCheckNanos < 0) {
            return false;
        }
        nextWriteDeathCheckNanos = now + DEATH_CHECK_NANOS;
        if (FileDescriptors.poll(peerFd, FileDescriptors.POLL_IN, -1, 0) > 0) {
            peerDead = true;
        }
        return peerDead;
    }

    /** From a writer: reads ahead if no reader is at work; whether anything arrived. */
    private boolean lookForMarker() {
        if (!readLock.tryLock()) {
            return false;
        }
        boolean got;
        try {
            got = readAhead();
        } finally {
            readLock.unlock();
        }
        if (got) {
            FileDescriptors.wake(nudgeFd);
        }
        return got;
    }

    private boolean peerGone() {
        return peerClosedMarker || peerDead;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Also true when the peer's process has exited (the bytes it sent remain readable). A timeout of 0
     * or less checks without waiting; {@code Long.MAX_VALUE} waits without limit. False once closed.
     */
    @Override
    public boolean awaitReadable(long timeoutNanos) {
        if (!guard.enter()) {
            return false;
        }
        try {
            readLock.lock();
            try {
                if (inboxStart < inboxEnd || endOfStream || peerDead) {
                    return true;
                }
            } finally {
                readLock.unlock();
            }
            int result = readPoll.poll(timeoutNanos);
            if (result < 0) {
                throw new StreamClosedException(description + ": poll failed: "
                    + FileDescriptors.describeError(result));
            }
            if (result == 0 || readPoll.events(2) != 0) {
                return false;
            }
            if (readPoll.events(3) != 0) {
                FileDescriptors.read(nudgeFd, nudgeScratch); // reset it; the inbox holds what a writer read
            }
            if (readPoll.events(1) != 0) {
                peerDead = true;
            }
            return true;
        } finally {
            guard.exit();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A peer that closed or died counts as writable (the write then throws). A timeout of 0 or less
     * checks without waiting; {@code Long.MAX_VALUE} waits without limit. False once closed.
     */
    @Override
    public boolean awaitWritable(long timeoutNanos) {
        if (!guard.enter()) {
            return false;
        }
        try {
            long start = System.nanoTime();
            while (true) {
                if (peerGone()) {
                    return true;
                }
                long remaining = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE
                    : timeoutNanos - (System.nanoTime() - start);
                writePoll.set(1, inboxHasRoom() && !endOfStream ? readMq : -1, FileDescriptors.POLL_IN);
                int result = writePoll.poll(remaining);
                if (result < 0) {
                    throw new StreamClosedException(description + ": poll failed: "
                        + FileDescriptors.describeError(result));
                }
                if (result == 0 || writePoll.events(3) != 0) {
                    return false;
                }
                if (writePoll.events(2) != 0) {
                    peerDead = true;
                    return true;
                }
                if (writePoll.events(0) != 0) {
                    return true;
                }
                if (!lookForMarker()) {
                    // A reader holds the read side and will find the marker itself; look again soon.
                    java.util.concurrent.locks.LockSupport.parkNanos(READER_BUSY_NANOS);
                }
                if (remaining != Long.MAX_VALUE && System.nanoTime() - start >= timeoutNanos) {
                    return peerGone();
                }
            }
        } finally {
            guard.exit();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Reads ahead what the queue holds (at most its size and two messages more) to find the close
     * marker behind the bytes still unread, and checks the peer's pidfd.
     */
    @Override
    public boolean peerClosed() {
        if (!guard.enter()) {
            return true;
        }
        try {
            readLock.lock();
            try {
                readAhead();
            } finally {
                readLock.unlock();
            }
            if (peerGone()) {
                return true;
            }
            if (peerFd >= 0 && FileDescriptors.poll(peerFd, FileDescriptors.POLL_IN, -1, 0) > 0) {
                peerDead = true;
            }
            return peerDead;
        } finally {
            guard.exit();
        }
    }

    @Override
    public String describe() {
        return description;
    }

    /** The peer's pid, as it said (0 when unknown). */
    public long peerPid() {
        return peerPid;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return guard.isClosed();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Sends the close marker behind the bytes written (later, from {@code MqLinger}, if the queue is
     * full); waiting threads return at once.
     */
    @Override
    public void close() {
        guard.closeAndWake(wakeFd);
    }

    @Override
    public String toString() {
        return "MqStream[" + description + "]";
    }

    private void release() {
        boolean lingering = false;
        if (!peerGone()) {
            int sent = MessageQueues.send(writeMq, MARKER, 0, 0);
            if (sent == -MessageQueues.EAGAIN) {
                lingering = MqLinger.add(writeMq, readMq, peerFd, description);
            }
        }
        if (!lingering) {
            FileDescriptors.close(writeMq);
            FileDescriptors.close(readMq);
            if (peerFd >= 0) {
                FileDescriptors.close(peerFd);
            }
        }
        FileDescriptors.close(wakeFd);
        FileDescriptors.close(nudgeFd);
    }

    private StreamClosedException peerClosedException() {
        return new StreamClosedException(description + ": the peer "
            + (peerDead ? "exited" : "closed the connection"));
    }

    private StreamClosedException closed(String action) {
        return new StreamClosedException("Cannot " + action + " " + description + ": the stream was closed");
    }
}
