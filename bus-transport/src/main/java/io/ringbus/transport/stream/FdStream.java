package io.ringbus.transport.stream;

import io.ringbus.core.os.FileDescriptors;
import io.ringbus.core.os.SharedFileException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;

/**
 * A {@link ByteStream} over file descriptors: a read descriptor and a write descriptor, which may differ
 * (a pair of pipes, a pair of FIFOs) or be the same. Both are set {@code O_NONBLOCK}; the stream owns
 * them and closes them once.
 *
 * <p><b>Buffers.</b> Direct buffers go to {@code read(2)}/{@code write(2)} as they are; heap buffers are
 * copied through a native scratch area of this stream (64 KiB per direction, so one call moves at most
 * that much). Never pass a view of a mapped topic file: a peer could truncate it, and a system call on
 * a lost page kills the JVM (SIGBUS).
 *
 * <p><b>Errors.</b> {@code EAGAIN} reads and writes nothing (0); end of file and {@code ECONNRESET} read
 * -1; a write to a pipe whose reader is gone ({@code EPIPE}; the JVM ignores SIGPIPE) throws
 * {@link StreamClosedException}; {@code EINTR} is retried.
 *
 * <p><b>Closing.</b> Each stream has an {@code eventfd} that {@link #awaitReadable}/{@link #awaitWritable}
 * poll beside their descriptor; {@link #close()} signals it, so a waiting thread returns at once. The
 * descriptors are closed when the last call in flight has left (see {@code CloseGuard}), so a descriptor
 * number is never closed twice, nor closed under a running call and reused.
 */
public final class FdStream implements ByteStream {
    private static final int SCRATCH_BYTES = 64 * 1024;

    private final int readFd;
    private final int writeFd;
    private final int wakeFd;
    private final String description;
    private final CloseGuard guard = new CloseGuard(this::release);
    /*
     * The last direct buffer read into / written from and a segment over all of it: streams reuse one
     * buffer per direction, so per-call segments (an allocation each) are avoided.
     */
    private ByteBuffer lastReadBuffer;
    private MemorySegment lastReadSegment;
    private ByteBuffer lastWriteBuffer;
    private MemorySegment lastWriteSegment;
    /** Used by the reading thread only (readers take turns), allocated on the first heap read. */
    private MemorySegment readScratch;
    /** Used by the writing thread only, allocated on the first heap write. */
    private MemorySegment writeScratch;

    private FdStream(int readFd, int writeFd, int wakeFd, String description) {
        this.readFd = readFd;
        this.writeFd = writeFd;
        this.wakeFd = wakeFd;
        this.description = description;
    }

    /**
     * A stream over descriptors the caller opened, which it hands over: they are set non-blocking and
     * closed by {@link #close()}, or at once if this method fails.
     *
     * @param readFd      the descriptor to read from
     * @param writeFd     the descriptor to write to (may equal {@code readFd})
     * @param description who is on the other end, for {@link #describe()} and messages
     * @throws StreamClosedException a descriptor is not open
     * @throws SharedFileException   out of descriptors for the wake-up eventfd
     */
    public static FdStream adopt(int readFd, int writeFd, String description) {
        int wakeFd = -1;
        try {
            nonBlocking(readFd, description);
            if (writeFd != readFd) {
                nonBlocking(writeFd, description);
            }
            wakeFd = FileDescriptors.newWakeFd();
            return new FdStream(readFd, writeFd, wakeFd, description);
        } catch (RuntimeException | Error e) {
            FileDescriptors.close(readFd);
            if (writeFd != readFd) {
                FileDescriptors.close(writeFd);
            }
            throw e;
        }
    }

    /**
     * Two streams connected by two new pipes: what one writes the other reads. For tests in one process,
     * and for a parent that bridges a child it starts on these descriptors.
     *
     * @throws SharedFileException out of descriptors
     */
    public static PipePair pipePair() {
        int[] there = FileDescriptors.pipe();
        int[] back;
        try {
            back = FileDescriptors.pipe();
        } catch (RuntimeException | Error e) {
            FileDescriptors.close(there[0]);
            FileDescriptors.close(there[1]);
            throw e;
        }
        FdStream a;
        try {
            a = adopt(back[0], there[1], "pipe fds " + back[0] + "/" + there[1]);
        } catch (RuntimeException | Error e) {
            FileDescriptors.close(there[0]);
            FileDescriptors.close(back[1]);
            throw e;
        }
        try {
            return new PipePair(a, adopt(there[0], back[1], "pipe fds " + there[0] + "/" + back[1]));
        } catch (RuntimeException | Error e) {
            a.close();
            throw e;
        }
    }

    /**
     * This process's standard input and output as a stream, for the {@code pipe:} path of a child
     * started by a parent that bridges it (such as {@code ./bus run}). Descriptors 0 and 1 are duplicated
     * to new ones that the stream owns; then descriptor 0 is pointed at {@code /dev/null} and descriptor 1
     * at standard error (descriptor 2). So a stray {@code System.out.println}, a library logging to
     * standard output or a JVM {@code -Xlog} line goes to standard error and can never corrupt the frame
     * stream, and {@code System.in} reads end of file. The parent's pipes become non-blocking (that flag
     * belongs to the pipe, so a sibling process sharing them would see it too).
     *
     * <p>Once per process.
     *
     * @throws IllegalStateException the standard streams were taken already
     * @throws SharedFileException   out of descriptors
     */
    public static FdStream takeStandardStreams() {
        int[] fds = FileDescriptors.takeStandardStreams();
        return adopt(fds[0], fds[1], "pipe: standard input/output (fds " + fds[0] + "/" + fds[1] + ")");
    }

    /** A segment over all of a direct buffer, whatever its position and limit. */
    private static MemorySegment wholeSegmentOf(ByteBuffer buffer) {
        return MemorySegment.ofBuffer(buffer.duplicate().clear());
    }

    @Override
    public int read(ByteBuffer destination) {
        if (destination.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        if (!guard.enter()) {
            throw closed("read from");
        }
        try {
            int wanted = destination.remaining();
            if (wanted == 0) {
                return 0;
            }
            int position = destination.position();
            long result;
            if (destination.isDirect()) {
                if (destination != lastReadBuffer) {
                    lastReadSegment = wholeSegmentOf(destination);
                    lastReadBuffer = destination;
                }
                result = FileDescriptors.read(readFd, lastReadSegment, position, wanted);
            } else {
                if (readScratch == null) {
                    readScratch = Arena.ofAuto().allocate(SCRATCH_BYTES);
                }
                MemorySegment slice = readScratch.asSlice(0, Math.min(wanted, SCRATCH_BYTES));
                result = FileDescriptors.read(readFd, slice);
                if (result > 0) {
                    MemorySegment.copy(slice, 0, MemorySegment.ofBuffer(destination), 0, result);
                }
            }
            if (result > 0) {
                destination.position(position + (int) result);
                return (int) result;
            }
            if (result == 0 || result == -FileDescriptors.ECONNRESET) {
                return -1;
            }
            if (result == -FileDescriptors.EAGAIN) {
                return 0;
            }
            throw new StreamClosedException(description + ": read failed: "
                + FileDescriptors.describeError((int) -result));
        } finally {
            guard.exit();
        }
    }

    @Override
    public int write(ByteBuffer source) {
        if (!guard.enter()) {
            throw closed("write to");
        }
        try {
            int length = source.remaining();
            if (length == 0) {
                return 0;
            }
            long result;
            if (source.isDirect()) {
                if (source != lastWriteBuffer) {
                    lastWriteSegment = wholeSegmentOf(source);
                    lastWriteBuffer = source;
                }
                result = FileDescriptors.write(writeFd, lastWriteSegment, source.position(), length);
            } else {
                if (writeScratch == null) {
                    writeScratch = Arena.ofAuto().allocate(SCRATCH_BYTES);
                }
                int chunk = Math.min(length, SCRATCH_BYTES);
                MemorySegment.copy(MemorySegment.ofBuffer(source), 0, writeScratch, 0, chunk);
                result = FileDescriptors.write(writeFd, writeScratch, 0, chunk);
            }
            if (result >= 0) {
                source.position(source.position() + (int) result);
                return (int) result;
            }
            if (result == -FileDescriptors.EAGAIN) {
                return 0;
            }
            if (result == -FileDescriptors.EPIPE || result == -FileDescriptors.ECONNRESET) {
                throw new StreamClosedException(description + ": the peer closed its end ("
                    + FileDescriptors.describeError((int) -result) + ")");
            }
            throw new StreamClosedException(description + ": write failed: "
                + FileDescriptors.describeError((int) -result));
        } finally {
            guard.exit();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A timeout of 0 or less checks without waiting; {@code Long.MAX_VALUE} waits without limit.
     * Returns false once the stream is closed.
     */
    @Override
    public boolean awaitReadable(long timeoutNanos) {
        return await(readFd, FileDescriptors.POLL_IN, timeoutNanos);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A timeout of 0 or less checks without waiting; {@code Long.MAX_VALUE} waits without limit. A
     * peer that went away counts as writable (the write then throws). Returns false once the stream is
     * closed.
     */
    @Override
    public boolean awaitWritable(long timeoutNanos) {
        return await(writeFd, FileDescriptors.POLL_OUT, timeoutNanos);
    }

    /**
     * {@inheritDoc}
     *
     * <p>From {@code poll}: a pipe's or FIFO's read end reports a hang-up once every writer closed,
     * whether or not bytes remain, so nothing is read ahead.
     */
    @Override
    public boolean peerClosed() {
        if (!guard.enter()) {
            return true;
        }
        try {
            int result = FileDescriptors.poll(readFd, FileDescriptors.POLL_IN, wakeFd, 0);
            return result < 0 || (result & (FileDescriptors.POLL_HUP | FileDescriptors.POLL_ERR)) != 0;
        } finally {
            guard.exit();
        }
    }

    private boolean await(int fd, int events, long timeoutNanos) {
        if (!guard.enter()) {
            return false;
        }
        try {
            int result = FileDescriptors.poll(fd, events, wakeFd, timeoutNanos);
            if (result < 0) {
                throw new StreamClosedException(description + ": poll failed: "
                    + FileDescriptors.describeError(result));
            }
            return (result & FileDescriptors.POLL_WOKEN) == 0 && result != 0;
        } finally {
            guard.exit();
        }
    }

    @Override
    public String describe() {
        return description;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return guard.isClosed();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Waiting threads return at once; the descriptors are closed when the last call in flight returns
     * (at once if there is none), exactly once.
     */
    @Override
    public void close() {
        guard.closeAndWake(wakeFd);
    }

    @Override
    public String toString() {
        return "FdStream[" + description + "]";
    }

    private void release() {
        FileDescriptors.close(readFd);
        if (writeFd != readFd) {
            FileDescriptors.close(writeFd);
        }
        FileDescriptors.close(wakeFd);
    }

    private StreamClosedException closed(String action) {
        return new StreamClosedException("Cannot " + action + " " + description + ": the stream was closed");
    }

    private static void nonBlocking(int fd, String description) {
        int result = FileDescriptors.setNonBlocking(fd);
        if (result < 0) {
            throw new StreamClosedException("Cannot use descriptor " + fd + " for " + description + ": "
                + FileDescriptors.describeError(result));
        }
    }
}
