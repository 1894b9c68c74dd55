package io.ringbus.core.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * File descriptors for byte streams: pipes, FIFOs, non-blocking reads and writes, {@code poll} with a
 * wake-up descriptor, and the standard streams. The FFM-free front of the native calls that
 * bus-transport's pipe and FIFO paths make.
 *
 * <p>Conventions. The calls made on every message ({@link #read}, {@link #write}, {@link #poll}) and
 * the ones whose failure a caller handles ({@link #close}, {@link #unlink}, {@link #openFifo}) return
 * counts or descriptors, or a negative error number ({@code -errno}; compare with the constants here,
 * such as {@code -FileDescriptors.EAGAIN}); {@code EINTR} is retried inside. Setup calls that can only
 * fail for reasons a user must fix ({@link #pipe}, {@link #createFifo}, {@link #newWakeFd}) throw a
 * {@link SharedFileException} naming the path, the error and what to do.
 *
 * <p>Memory. Buffers handed to {@link #read} and {@link #write} go straight to the C library: they must
 * be memory of this process (direct buffers, arena memory), never a mapped topic file, whose pages a
 * peer could truncate away (a libc call on a lost page kills the JVM with SIGBUS).
 *
 * <p>Every descriptor made here is close-on-exec, except the standard ones {@link #takeStandardStreams}
 * leaves at 0 and 1.
 */
public final class FileDescriptors {
    /** Nothing to read or no room to write now, on a non-blocking descriptor (11). */
    public static final int EAGAIN = Errno.EAGAIN;
    /** The reading end of the pipe or FIFO is closed (32); the JVM ignores SIGPIPE, so writes return it. */
    public static final int EPIPE = Errno.EPIPE;
    /** The peer reset the connection (104). */
    public static final int ECONNRESET = Errno.ECONNRESET;
    /** Nothing is at the path (2). */
    public static final int ENOENT = Errno.ENOENT;
    /** A FIFO opened for writing without blocking has no reader (6). */
    public static final int ENXIO = Errno.ENXIO;
    /** A bad descriptor (9). */
    public static final int EBADF = Errno.EBADF;

    /** {@link #poll} event: there is data to read, or end of file. */
    public static final int POLL_IN = PosixBindings.POLLIN;
    /** {@link #poll} event: writing would not block. */
    public static final int POLL_OUT = PosixBindings.POLLOUT;
    /** {@link #poll} result: an error condition (on a pipe's write end: the reader is gone). */
    public static final int POLL_ERR = PosixBindings.POLLERR;
    /** {@link #poll} result: the peer hung up (a pipe's read end: every writer closed). */
    public static final int POLL_HUP = PosixBindings.POLLHUP;
    /** {@link #poll} result: the descriptor is not open. */
    public static final int POLL_NVAL = PosixBindings.POLLNVAL;
    /** {@link #poll} result bit: the wake-up descriptor was signalled ({@link #wake}). */
    public static final int POLL_WOKEN = 1 << 16;

    private static final int FIFO_OPEN = PosixBindings.O_NONBLOCK | PosixBindings.O_NOFOLLOW
        | PosixBindings.O_CLOEXEC | PosixBindings.O_NOCTTY;
    private static final long ONE_MILLI = TimeUnit.MILLISECONDS.toNanos(1);
    private static final AtomicBoolean STANDARD_STREAMS_TAKEN = new AtomicBoolean();

    private FileDescriptors() {
    }

    /**
     * Reads up to {@code buffer.byteSize()} bytes.
     *
     * @return bytes read, 0 at end of file (or for an empty buffer), or -errno ({@code -EAGAIN}: nothing yet)
     */
    public static long read(int fd, MemorySegment buffer) {
        return read(fd, buffer, 0, buffer.byteSize());
    }

    /**
     * Reads up to {@code length} bytes into {@code buffer} at {@code offset} (bounds checked), with no
     * allocation: the form for a loop that runs per message.
     *
     * @return bytes read, 0 at end of file, or -errno
     */
    public static long read(int fd, MemorySegment buffer, long offset, long length) {
        long result;
        do {
            result = PosixBindings.read(fd, buffer, offset, length);
        } while (result == -Errno.EINTR);
        return result;
    }

    /**
     * Writes up to {@code buffer.byteSize()} bytes.
     *
     * @return bytes written, or -errno ({@code -EAGAIN}: no room; {@code -EPIPE}: no reader)
     */
    public static long write(int fd, MemorySegment buffer) {
        return write(fd, buffer, 0, buffer.byteSize());
    }

    /**
     * Writes up to {@code length} bytes of {@code buffer} from {@code offset} (bounds checked), with no
     * allocation.
     *
     * @return bytes written, or -errno
     */
    public static long write(int fd, MemorySegment buffer, long offset, long length) {
        long result;
        do {
            result = PosixBindings.write(fd, buffer, offset, length);
        } while (result == -Errno.EINTR);
        return result;
    }

    /**
     * Waits until {@code fd} has one of {@code events} ({@link #POLL_IN}, {@link #POLL_OUT}), {@code wakeFd}
     * was signalled, or {@code timeoutNanos} passed. Signals do not shorten the wait.
     *
     * @param wakeFd       a descriptor from {@link #newWakeFd}, or -1 for none
     * @param timeoutNanos 0 or less checks without waiting; {@code Long.MAX_VALUE} waits without limit
     * @return the events of {@code fd} ({@code POLL_*}, including {@link #POLL_ERR}, {@link #POLL_HUP},
     *     {@link #POLL_NVAL} whatever was asked), with {@link #POLL_WOKEN} set if {@code wakeFd} was
     *     signalled; 0 on timeout; or -errno
     */
    public static int poll(int fd, int events, int wakeFd, long timeoutNanos) {
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        long remaining = Math.max(0, timeoutNanos);
        while (true) {
            int millis = timeoutNanos == Long.MAX_VALUE ? -1
                : (int) Math.min(Integer.MAX_VALUE, (remaining + ONE_MILLI - 1) / ONE_MILLI);
            int result = PosixBindings.poll(fd, (short) events, wakeFd, PosixBindings.POLLIN, millis);
            if (result == -Errno.EINTR) {
                if (timeoutNanos != Long.MAX_VALUE) {
                    remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        return 0;
                    }
                }
                continue;
            }
            if (result < 0) {
                return result;
            }
            int own = result & 0xFFFF;
            boolean woken = (result >>> 16) != 0;
            if (own != 0 || woken || millis == 0 || timeoutNanos == Long.MAX_VALUE) {
                return woken ? own | POLL_WOKEN : own;
            }
            remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return 0;
            }
        }
    }

    /**
     * Closes a descriptor. Not retried on EINTR: Linux has closed it anyway, and a retry could close a
     * descriptor another thread just opened under the same number.
     *
     * @return 0, or -errno
     */
    public static int close(int fd) {
        int result = PosixBindings.close(fd);
        return result == -Errno.EINTR ? 0 : result;
    }

    /**
     * Sets {@code O_NONBLOCK} on the open file description of {@code fd} (shared with every duplicate
     * of it, and with other processes holding the same description).
     *
     * @return 0, or -errno
     */
    public static int setNonBlocking(int fd) {
        int flags = PosixBindings.fcntl(fd, PosixBindings.F_GETFL, 0);
        if (flags < 0) {
            return flags;
        }
        if ((flags & PosixBindings.O_NONBLOCK) != 0) {
            return 0;
        }
        int result = PosixBindings.fcntl(fd, PosixBindings.F_SETFL, flags | PosixBindings.O_NONBLOCK);
        return Math.min(result, 0);
    }

    /** Whether {@code O_NONBLOCK} is set on {@code fd}'s open file description (false if it is not open). */
    public static boolean isNonBlocking(int fd) {
        int flags = PosixBindings.fcntl(fd, PosixBindings.F_GETFL, 0);
        return flags >= 0 && (flags & PosixBindings.O_NONBLOCK) != 0;
    }

    /**
     * A new close-on-exec pipe ({@code pipe2(O_CLOEXEC)}), in blocking mode.
     *
     * @return {read end, write end}
     * @throws SharedFileException out of descriptors
     */
    public static int[] pipe() {
        long result = PosixBindings.pipe2(PosixBindings.O_CLOEXEC);
        if (result < 0) {
            throw Failures.ofDescriptor("create a pipe", (int) -result);
        }
        return new int[] {(int) result, (int) (result >>> 32)};
    }

    /**
     * A new wake-up descriptor for {@link #poll}: an {@code eventfd}, non-blocking and close-on-exec. Once
     * {@link #wake signalled} it stays readable (nothing resets it), so every later poll with it returns
     * at once: made for closing.
     *
     * @throws SharedFileException out of descriptors
     */
    public static int newWakeFd() {
        int fd = PosixBindings.eventfd(0, PosixBindings.EFD_CLOEXEC | PosixBindings.EFD_NONBLOCK);
        if (fd < 0) {
            throw Failures.ofDescriptor("create an eventfd", -fd);
        }
        return fd;
    }

    /**
     * Signals a wake-up descriptor: every thread polling it, now or later, returns with {@link #POLL_WOKEN}.
     *
     * @return 0, or -errno
     */
    public static int wake(int wakeFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(ValueLayout.JAVA_LONG);
            buffer.set(ValueLayout.JAVA_LONG, 0, 1L);
            long result = write(wakeFd, buffer);
            return result == -Errno.EAGAIN ? 0 : (int) Math.min(result, 0);
        }
    }

    /**
     * Creates a FIFO with exactly {@code mode} (whatever the umask) and opens it read-write and
     * non-blocking: a FIFO opened so never blocks, never sees end of file and never gets EPIPE. The
     * caller closes the descriptor; the FIFO stays until {@link #unlink unlinked}.
     *
     * @param mode 0600, or 0660 to let the group in
     * @throws FileExistsException  something is at the path
     * @throws FileMissingException the directory does not exist
     * @throws SharedFileException  other failures
     */
    public static int createFifo(Path path, int mode) {
        if ((mode & ~0660) != 0 || (mode & 0600) != 0600) {
            throw new IllegalArgumentException("FIFO mode " + Failures.octal(mode)
                + " must give its owner read-write and nothing to others, such as 0600 or 0660");
        }
        Path absolute = path.toAbsolutePath();
        int made = PosixBindings.mkfifo(absolute.toString(), mode);
        if (made < 0) {
            throw Failures.of("create FIFO", absolute, -made);
        }
        int fd = PosixBindings.open(absolute.toString(), PosixBindings.O_RDWR | FIFO_OPEN, 0);
        if (fd < 0) {
            PosixBindings.unlink(absolute.toString());
            throw Failures.of("open the new FIFO", absolute, -fd);
        }
        try {
            checkFifo(fd, absolute);
            int changed = PosixBindings.fchmod(fd, mode);
            if (changed < 0) {
                throw Failures.of("set the mode of", absolute, -changed);
            }
            return fd;
        } catch (RuntimeException | Error e) {
            PosixBindings.close(fd);
            PosixBindings.unlink(absolute.toString());
            throw e;
        }
    }

    /**
     * Opens an existing FIFO without blocking ({@code O_NOFOLLOW}, close-on-exec) for reading or for
     * writing, and checks on the descriptor that it is a FIFO owned by this process's effective uid.
     *
     * @return the descriptor; {@code -ENOENT} when nothing is at the path; {@code -ENXIO} when opening for
     *     writing and no process has it open for reading
     * @throws FileTypeException       something other than a FIFO is there (a link is never followed)
     * @throws FilePermissionException owned by another user, or access refused
     * @throws SharedFileException     other failures (out of descriptors, ...)
     */
    public static int openFifo(Path path, boolean forWriting) {
        Path absolute = path.toAbsolutePath();
        int access = forWriting ? PosixBindings.O_WRONLY : PosixBindings.O_RDONLY;
        int fd = PosixBindings.open(absolute.toString(), access | FIFO_OPEN, 0);
        if (fd == -Errno.ENOENT || fd == -Errno.ENXIO) {
            return fd;
        }
        if (fd < 0) {
            if (fd == -Errno.ELOOP) {
                throw new FileTypeException("Cannot open FIFO " + absolute + ": it is a symbolic link, which ringbus"
                    + " never follows (someone may be trying to redirect it). Remove the link.", absolute, -fd);
            }
            throw Failures.of("open FIFO", absolute, -fd);
        }
        try {
            checkFifo(fd, absolute);
            return fd;
        } catch (RuntimeException | Error e) {
            PosixBindings.close(fd);
            throw e;
        }
    }

    /**
     * Removes a name ({@code unlink(2)}; a symbolic link itself, never its target).
     *
     * @return 0, or -errno ({@code -ENOENT}: nothing was there)
     */
    public static int unlink(Path path) {
        return PosixBindings.unlink(path.toAbsolutePath().toString());
    }

    /** The system's text and name of an error number, such as "Broken pipe (EPIPE)", for messages. */
    public static String describeError(int errno) {
        return Errno.describe(Math.abs(errno));
    }

    /**
     * Takes this process's standard input and output for a byte stream, so that nothing else can write
     * into it: duplicates descriptors 0 and 1 to new close-on-exec descriptors (returned, in blocking
     * mode), then points descriptor 0 at {@code /dev/null} and descriptor 1 at descriptor 2 (standard
     * error). From then on {@code System.out.println}, a library's logging to standard output and
     * {@code -Xlog} lines all go to standard error, never between frames; {@code System.in} reads end of
     * file. Bytes {@code System.out} buffered before the call (a {@code print} without a newline) go to
     * standard error too, when it flushes; bytes {@code System.in} buffered before the call are lost to
     * the stream.
     *
     * <p>Once per process: the original descriptors 0 and 1 are gone after it.
     *
     * @return {input, output}: the former standard input and output
     * @throws IllegalStateException the standard streams were taken already
     * @throws SharedFileException   out of descriptors, or {@code /dev/null} cannot be opened
     */
    public static int[] takeStandardStreams() {
        if (!STANDARD_STREAMS_TAKEN.compareAndSet(false, true)) {
            throw new IllegalStateException("The standard streams of this process were taken already: descriptors 0"
                + " and 1 now point at /dev/null and standard error. Take them once, and share that stream.");
        }
        int input = -1;
        int output = -1;
        int devNull = -1;
        boolean redirected = false;
        try {
            input = duplicate(0, "standard input");
            output = duplicate(1, "standard output");
            devNull = PosixBindings.open("/dev/null", PosixBindings.O_RDONLY | PosixBindings.O_CLOEXEC, 0);
            if (devNull < 0) {
                throw Failures.of("open", Path.of("/dev/null"), -devNull);
            }
            redirected = true;
            duplicateOnto(devNull, 0, "/dev/null onto standard input");
            duplicateOnto(2, 1, "standard error onto standard output");
            return new int[] {input, output};
        } catch (RuntimeException | Error e) {
            if (!redirected) {
                closeQuietly(input);
                closeQuietly(output);
                STANDARD_STREAMS_TAKEN.set(false);
            }
            throw e;
        } finally {
            closeQuietly(devNull);
        }
    }

    private static int duplicate(int fd, String what) {
        int copy = PosixBindings.fcntl(fd, PosixBindings.F_DUPFD_CLOEXEC, 3);
        if (copy < 0) {
            throw Failures.ofDescriptor("duplicate " + what + " (descriptor " + fd + ")", -copy);
        }
        return copy;
    }

    private static void duplicateOnto(int from, int onto, String what) {
        int result;
        do {
            result = PosixBindings.dup2(from, onto);
        } while (result == -Errno.EINTR || result == -Errno.EBUSY);
        if (result < 0) {
            throw Failures.ofDescriptor("duplicate " + what, -result);
        }
    }

    private static void closeQuietly(int fd) {
        if (fd >= 0) {
            PosixBindings.close(fd);
        }
    }

    private static void checkFifo(int fd, Path path) {
        FileStat stat = PosixBindings.fstat(fd);
        if (stat.errno() != 0) {
            throw Failures.of("inspect", path, stat.errno());
        }
        if (!stat.isFifo()) {
            throw new FileTypeException("Cannot use " + path + " as a FIFO: it is " + stat.typeName()
                + ". Remove it, or check the path.", path, 0);
        }
        int euid = PosixBindings.geteuid();
        if (stat.uid() != euid) {
            throw new FilePermissionException("FIFO " + path + " is owned by uid "
                + Integer.toUnsignedString(stat.uid()) + ", not by this process's uid "
                + Integer.toUnsignedString(euid) + ": another user made it and could read or inject frames."
                + " Remove it, or choose a directory of your own.", path, 0);
        }
    }
}
