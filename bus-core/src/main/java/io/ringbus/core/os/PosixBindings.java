package io.ringbus.core.os;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Every native call of ringbus: FFM downcalls into the C library, one {@code static final MethodHandle}
 * each. Nothing outside this class touches {@code Linker}.
 *
 * <p>Conventions. A call that sets {@code errno} is linked with {@code captureCallState("errno")} and
 * its wrapper returns the C result when it succeeds and {@code -errno} when it fails (the kernel's own
 * convention), so the errno read is always the one of this call on this thread, never one a later
 * JVM-internal call overwrote. {@code posix_fallocate} returns its error instead of setting errno.
 *
 * <p>Struct layouts. File metadata comes from {@code statx(2)} on the descriptor ({@code AT_EMPTY_PATH}):
 * {@code struct statx} is defined once in the kernel UAPI with explicit padding, so it is the same on
 * every architecture, unlike {@code struct stat}. The futex timeout is {@code struct timespec} with a
 * 64-bit {@code tv_sec}, which holds on every 64-bit Linux; 32-bit JVMs are refused.
 *
 * <p>Constants. Open flags and the futex syscall number differ between architectures; the x86_64 values
 * are tested, the aarch64 ones are taken from the kernel headers ({@code arch/arm64/include/uapi}).
 * Everything else used here (errno numbers, mmap, statx and futex constants) is common to both.
 */
@SuppressWarnings("restricted") // the one class allowed to link native code
final class PosixBindings {
    private static final boolean AARCH64 = checkPlatform();

    static final int O_RDONLY = 0;
    static final int O_WRONLY = 01;
    static final int O_RDWR = 02;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_NOCTTY = 0400;
    static final int O_NONBLOCK = 04000;
    static final int O_DIRECTORY = AARCH64 ? 040000 : 0200000;
    static final int O_NOFOLLOW = AARCH64 ? 0100000 : 0400000;
    static final int O_CLOEXEC = 02000000;

    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int MS_SYNC = 4;

    static final int AT_EMPTY_PATH = 0x1000;
    static final int STATX_TYPE = 0x1;
    static final int STATX_MODE = 0x2;
    static final int STATX_UID = 0x8;
    static final int STATX_GID = 0x10;
    static final int STATX_INO = 0x100;
    static final int STATX_SIZE = 0x200;
    static final int STATX_BLOCKS = 0x400;
    static final int STATX_NEEDED = STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID | STATX_INO | STATX_SIZE;

    static final int F_DUPFD_CLOEXEC = 1030;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int EFD_CLOEXEC = O_CLOEXEC;
    static final int EFD_NONBLOCK = O_NONBLOCK;

    static final short POLLIN = 0x1;
    static final short POLLOUT = 0x4;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;
    static final short POLLNVAL = 0x20;

    static final long SYS_FUTEX = AARCH64 ? 98 : 202;
    /** {@code pidfd_open}: 434 in the unified syscall table of x86_64 and aarch64 alike. */
    static final long SYS_PIDFD_OPEN = 434;
    /** Shared (not {@code FUTEX_PRIVATE_FLAG}) ops: the word lives in a MAP_SHARED file used by processes. */
    static final int FUTEX_WAIT = 0;
    static final int FUTEX_WAKE = 1;

    /** {@code struct statx_timestamp}. */
    static final StructLayout STATX_TIMESTAMP = MemoryLayout.structLayout(
        JAVA_LONG.withName("tv_sec"),
        JAVA_INT.withName("tv_nsec"),
        JAVA_INT.withName("__reserved")).withName("statx_timestamp");

    /** {@code struct statx} from {@code linux/stat.h}: 256 bytes, the same layout on every architecture. */
    static final StructLayout STATX = MemoryLayout.structLayout(
        JAVA_INT.withName("stx_mask"),
        JAVA_INT.withName("stx_blksize"),
        JAVA_LONG.withName("stx_attributes"),
        JAVA_INT.withName("stx_nlink"),
        JAVA_INT.withName("stx_uid"),
        JAVA_INT.withName("stx_gid"),
        JAVA_SHORT.withName("stx_mode"),
        MemoryLayout.paddingLayout(2),
        JAVA_LONG.withName("stx_ino"),
        JAVA_LONG.withName("stx_size"),
        JAVA_LONG.withName("stx_blocks"),
        JAVA_LONG.withName("stx_attributes_mask"),
        STATX_TIMESTAMP.withName("stx_atime"),
        STATX_TIMESTAMP.withName("stx_btime"),
        STATX_TIMESTAMP.withName("stx_ctime"),
        STATX_TIMESTAMP.withName("stx_mtime"),
        JAVA_INT.withName("stx_rdev_major"),
        JAVA_INT.withName("stx_rdev_minor"),
        JAVA_INT.withName("stx_dev_major"),
        JAVA_INT.withName("stx_dev_minor"),
        JAVA_LONG.withName("stx_mnt_id"),
        MemoryLayout.paddingLayout(104)).withName("statx");

    /** {@code struct timespec} on 64-bit Linux (the futex timeout, relative, CLOCK_MONOTONIC). */
    static final StructLayout TIMESPEC = MemoryLayout.structLayout(
        JAVA_LONG.withName("tv_sec"),
        JAVA_LONG.withName("tv_nsec")).withName("timespec");

    /** {@code struct mq_attr} on 64-bit Linux: four {@code long} fields and four reserved ones. */
    static final StructLayout MQ_ATTR = MemoryLayout.structLayout(
        JAVA_LONG.withName("mq_flags"),
        JAVA_LONG.withName("mq_maxmsg"),
        JAVA_LONG.withName("mq_msgsize"),
        JAVA_LONG.withName("mq_curmsgs"),
        MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("__reserved")).withName("mq_attr");

    /** {@code struct pollfd}: 8 bytes on every Linux. */
    static final StructLayout POLLFD = MemoryLayout.structLayout(
        JAVA_INT.withName("fd"),
        JAVA_SHORT.withName("events"),
        JAVA_SHORT.withName("revents")).withName("pollfd");

    private static final VarHandle STX_MASK = field(STATX, "stx_mask");
    private static final VarHandle STX_UID = field(STATX, "stx_uid");
    private static final VarHandle STX_GID = field(STATX, "stx_gid");
    private static final VarHandle STX_MODE = field(STATX, "stx_mode");
    private static final VarHandle STX_INO = field(STATX, "stx_ino");
    private static final VarHandle STX_SIZE = field(STATX, "stx_size");
    private static final VarHandle STX_BLOCKS = field(STATX, "stx_blocks");
    private static final VarHandle STX_DEV_MAJOR = field(STATX, "stx_dev_major");
    private static final VarHandle STX_DEV_MINOR = field(STATX, "stx_dev_minor");
    private static final VarHandle TV_SEC = field(TIMESPEC, "tv_sec");
    private static final VarHandle TV_NSEC = field(TIMESPEC, "tv_nsec");
    private static final VarHandle MQ_MAXMSG = field(MQ_ATTR, "mq_maxmsg");
    private static final VarHandle MQ_MSGSIZE = field(MQ_ATTR, "mq_msgsize");
    private static final VarHandle MQ_CURMSGS = field(MQ_ATTR, "mq_curmsgs");
    private static final VarHandle POLL_FD = field(POLLFD, "fd");
    private static final VarHandle POLL_EVENTS = field(POLLFD, "events");
    private static final VarHandle POLL_REVENTS = field(POLLFD, "revents");

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = field(CALL_STATE, "errno");
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");
    private static final AddressLayout C_STRING = ADDRESS.withTargetLayout(
        MemoryLayout.sequenceLayout(Long.MAX_VALUE, ValueLayout.JAVA_BYTE));

    private static final MethodHandle OPEN = errnoCall("open",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MKDIR = errnoCall("mkdir", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FCHMOD = errnoCall("fchmod",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCHOWN = errnoCall("fchown",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FTRUNCATE = errnoCall("ftruncate",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle STATX_CALL = errnoCall("statx",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle POSIX_FALLOCATE = plainCall("posix_fallocate",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle MMAP = errnoCall("mmap",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = errnoCall("munmap",
        FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle MSYNC = errnoCall("msync",
        FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle STRERROR = plainCall("strerror", FunctionDescriptor.of(C_STRING, JAVA_INT));
    private static final MethodHandle GETPID = plainCall("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETEUID = plainCall("geteuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle UMASK = plainCall("umask", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle KILL = errnoCall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    // read, write and clock_gettime take a raw address (which C passes exactly as a pointer): no MemorySegment
    // object per call. Streams read and write once per message (callers check bounds against a segment first);
    // clock_gettime, a vDSO call that never blocks (hence critical), runs per message on timestamped topics.
    private static final MethodHandle CLOCK_GETTIME = plainCall("clock_gettime",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), Linker.Option.critical(false));
    private static final MethodHandle READ = errnoCall("read",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle WRITE = errnoCall("write",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    // The same calls without errno capture, for the path that succeeds: the JDK's capture slices a segment per
    // call, which escape analysis does not always remove, and streams call these once per message. A failed
    // non-blocking read or write changed nothing, so it is simply repeated with capture to learn errno (or to
    // succeed, if the descriptor became ready in between).
    private static final MethodHandle POLL_UNCAPTURED = plainCall("poll",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle READ_UNCAPTURED = plainCall("read",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle WRITE_UNCAPTURED = plainCall("write",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle POLL = errnoCall("poll",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    /** {@code fcntl} with an int third argument (F_GETFL, F_SETFL, F_DUPFD_CLOEXEC). */
    private static final MethodHandle FCNTL_INT = errnoCall("fcntl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle PIPE2 = errnoCall("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle MKFIFO = errnoCall("mkfifo",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle UNLINK = errnoCall("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle DUP2 = errnoCall("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = errnoCall("eventfd",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSID = errnoCall("setsid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle CHDIR = errnoCall("chdir", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** {@code long syscall(long number, ...)}: every variadic argument is passed as a full register. */
    private static final MethodHandle SYSCALL_FUTEX = errnoCall("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG),
        Linker.Option.firstVariadicArg(1));
    /** The futex call without errno capture, for the outcomes that need no errno (see futexWait/Wake). */
    private static final MethodHandle SYSCALL_FUTEX_UNCAPTURED = plainCall("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG),
        Linker.Option.firstVariadicArg(1));

    /*
     * POSIX message queues (glibc 2.34 and later has them in libc itself). mq_send and mq_receive take the
     * buffer as a raw address, as read and write do, and have uncaptured twins for the path that succeeds.
     */
    private static final MethodHandle MQ_OPEN = errnoCall("mq_open",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MQ_UNLINK = errnoCall("mq_unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle MQ_GETATTR = errnoCall("mq_getattr",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle MQ_SEND = errnoCall("mq_send",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MQ_SEND_UNCAPTURED = plainCall("mq_send",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MQ_RECEIVE = errnoCall("mq_receive",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle MQ_RECEIVE_UNCAPTURED = plainCall("mq_receive",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SYSCALL_PIDFD_OPEN = errnoCall("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));

    /** Per-thread scratch memory for the futex path, which runs often: no allocation per call. */
    private static final ThreadLocal<FutexScratch> FUTEX_SCRATCH = ThreadLocal.withInitial(FutexScratch::new);

    /** The timeout and the call state of futex calls, sliced once per thread. */
    private static final class FutexScratch {
        final MemorySegment timeout;
        final MemorySegment state;

        FutexScratch() {
            MemorySegment memory = Arena.ofAuto().allocate(MemoryLayout.structLayout(TIMESPEC.withName("timeout"),
                CALL_STATE.withName("state")));
            timeout = memory.asSlice(0, TIMESPEC.byteSize());
            state = memory.asSlice(TIMESPEC.byteSize(), CALL_STATE.byteSize());
        }
    }

    /**
     * Per-thread scratch memory for read, write and poll, which run on every message of a stream: two
     * {@code struct pollfd} and the call state, no allocation per call.
     */
    private static final ThreadLocal<IoScratch> IO_SCRATCH = ThreadLocal.withInitial(IoScratch::new);

    /** The two pollfd structs and the call state, sliced once per thread. */
    private static final class IoScratch {
        final MemorySegment fds;
        final MemorySegment state;

        IoScratch() {
            MemorySegment memory = Arena.ofAuto().allocate(MemoryLayout.structLayout(
                MemoryLayout.sequenceLayout(2, POLLFD).withName("fds"), CALL_STATE.withName("state")));
            fds = memory.asSlice(0, 2 * POLLFD.byteSize());
            state = memory.asSlice(2 * POLLFD.byteSize(), CALL_STATE.byteSize());
        }
    }

    private PosixBindings() {
    }

    static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags, mode);
            return fd >= 0 ? fd : -errno(state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return orErrno((int) CLOSE.invokeExact(state, fd), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mkdir(String path, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return orErrno((int) MKDIR.invokeExact(state, arena.allocateFrom(path), mode), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int fchmod(int fd, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return orErrno((int) FCHMOD.invokeExact(state, fd, mode), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code fchown(fd, uid, gid)}; -1 leaves that id unchanged. */
    static int fchown(int fd, int uid, int gid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return orErrno((int) FCHOWN.invokeExact(state, fd, uid, gid), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int ftruncate(int fd, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return orErrno((int) FTRUNCATE.invokeExact(state, fd, length), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code statx(fd, "", AT_EMPTY_PATH, ...)}: the metadata of what the descriptor is open on. */
    static FileStat fstat(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buffer = arena.allocate(STATX);
            int mask = STATX_NEEDED | STATX_BLOCKS;
            int result = (int) STATX_CALL.invokeExact(state, fd, arena.allocateFrom(""), AT_EMPTY_PATH, mask, buffer);
            if (result != 0) {
                return FileStat.failed(errno(state));
            }
            int got = (int) STX_MASK.get(buffer, 0L);
            if ((got & STATX_NEEDED) != STATX_NEEDED) {
                return FileStat.failed(Errno.ENOSYS);
            }
            long device = ((long) (int) STX_DEV_MAJOR.get(buffer, 0L) << 32)
                | ((int) STX_DEV_MINOR.get(buffer, 0L) & 0xFFFF_FFFFL);
            return new FileStat(0,
                Short.toUnsignedInt((short) STX_MODE.get(buffer, 0L)),
                (int) STX_UID.get(buffer, 0L),
                (int) STX_GID.get(buffer, 0L),
                (long) STX_SIZE.get(buffer, 0L),
                (got & STATX_BLOCKS) != 0 ? (long) STX_BLOCKS.get(buffer, 0L) : -1,
                device,
                (long) STX_INO.get(buffer, 0L));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code read(fd, buffer + offset, length)}: bytes read (0 at end of file), or -errno. The buffer must be
     * native memory this process owns (a direct buffer or arena memory), never a mapped shared file.
     */
    static long read(int fd, MemorySegment buffer, long offset, long length) {
        java.util.Objects.checkFromIndexSize(offset, length, buffer.byteSize());
        try {
            long fast = (long) READ_UNCAPTURED.invokeExact(fd, buffer.address() + offset, length);
            if (fast >= 0) {
                return fast;
            }
            if (!readyNow(fd, POLLIN)) {
                return -Errno.EAGAIN; // the common failure (nothing to read), told apart without errno
            }
            MemorySegment state = IO_SCRATCH.get().state;
            long result = (long) READ.invokeExact(state, fd, buffer.address() + offset, length);
            return result >= 0 ? result : -errno(state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code write(fd, buffer + offset, length)}: bytes written, or -errno. Same memory rule as {@link #read}. */
    static long write(int fd, MemorySegment buffer, long offset, long length) {
        java.util.Objects.checkFromIndexSize(offset, length, buffer.byteSize());
        try {
            long fast = (long) WRITE_UNCAPTURED.invokeExact(fd, buffer.address() + offset, length);
            if (fast >= 0) {
                return fast;
            }
            if (!readyNow(fd, POLLOUT)) {
                return -Errno.EAGAIN; // the common failure (no room), told apart without errno
            }
            MemorySegment state = IO_SCRATCH.get().state;
            long result = (long) WRITE.invokeExact(state, fd, buffer.address() + offset, length);
            return result >= 0 ? result : -errno(state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Whether {@code fd} is ready for {@code events} now, or in an error or hang-up state (in which case the
     * caller's repeated, errno-capturing call reports what happened). A poll that fails counts as ready,
     * for the same reason.
     */
    private static boolean readyNow(int fd, short events) throws Throwable {
        if (fd < 0) {
            return true; // poll skips negative descriptors; the capturing call reports EBADF
        }
        MemorySegment fds = IO_SCRATCH.get().fds;
        POLL_FD.set(fds, 0L, fd);
        POLL_EVENTS.set(fds, 0L, events);
        POLL_REVENTS.set(fds, 0L, (short) 0);
        int result = (int) POLL_UNCAPTURED.invokeExact(fds, 1L, 0);
        return result != 0;
    }

    /**
     * {@code poll} on one or two descriptors ({@code secondFd} &lt; 0: only the first; poll ignores negative
     * descriptors). Returns the first's {@code revents} in bits 0-15 and the second's in bits 16-31 (0 on
     * timeout), or -errno. A negative timeout waits without limit.
     */
    static int poll(int firstFd, short firstEvents, int secondFd, short secondEvents, int timeoutMillis) {
        IoScratch scratch = IO_SCRATCH.get();
        MemorySegment fds = scratch.fds;
        MemorySegment state = scratch.state;
        long size = POLLFD.byteSize();
        POLL_FD.set(fds, 0L, firstFd);
        POLL_EVENTS.set(fds, 0L, firstEvents);
        POLL_REVENTS.set(fds, 0L, (short) 0);
        POLL_FD.set(fds, size, secondFd);
        POLL_EVENTS.set(fds, size, secondEvents);
        POLL_REVENTS.set(fds, size, (short) 0);
        try {
            int result = (int) POLL_UNCAPTURED.invokeExact(fds, 2L, timeoutMillis);
            if (result < 0) {
                // Rare (EINTR): repeat with errno capture to learn why; waits are repeated anyway.
                POLL_REVENTS.set(fds, 0L, (short) 0);
                POLL_REVENTS.set(fds, size, (short) 0);
                result = (int) POLL.invokeExact(state, fds, 2L, timeoutMillis);
            }
            if (result < 0) {
                return -errno(state);
            }
            int first = Short.toUnsignedInt((short) POLL_REVENTS.get(fds, 0L));
            int second = Short.toUnsignedInt((short) POLL_REVENTS.get(fds, size));
            return first | second << 16;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code fcntl(fd, command, argument)} for the commands with an int argument: the result, or -errno. */
    static int fcntl(int fd, int command, int argument) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return orErrno((int) FCNTL_INT.invokeExact(state, fd, command, argument), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code pipe2(fds, flags)}: the read end in the low 32 bits and the write end in the high ones, or
     * -errno (a negative long).
     */
    static long pipe2(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int result = (int) PIPE2.invokeExact(state, fds, flags);
            if (result != 0) {
                return -errno(state);
            }
            return fds.getAtIndex(JAVA_INT, 0) & 0xFFFF_FFFFL | (long) fds.getAtIndex(JAVA_INT, 1) << 32;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mkfifo(String path, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return orErrno((int) MKFIFO.invokeExact(state, arena.allocateFrom(path), mode), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int unlink(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return orErrno((int) UNLINK.invokeExact(state, arena.allocateFrom(path)), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code dup2(from, onto)}: {@code onto}, or -errno. The new descriptor is not close-on-exec. */
    static int dup2(int from, int onto) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return orErrno((int) DUP2.invokeExact(state, from, onto), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code eventfd(initial, flags)}: the descriptor, or -errno. */
    static int eventfd(int initial, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return orErrno((int) EVENTFD.invokeExact(state, initial, flags), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code setsid()}: the new session id, or -errno. */
    static int setsid() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return orErrno((int) SETSID.invokeExact(state), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int chdir(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return orErrno((int) CHDIR.invokeExact(state, arena.allocateFrom(path)), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code posix_fallocate}: 0 or the error number it returns (it does not set errno). */
    static int posixFallocate(int fd, long offset, long length) {
        try {
            return (int) POSIX_FALLOCATE.invokeExact(fd, offset, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)}: the address, or -errno. */
    static long mmapShared(int fd, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long address = (long) MMAP.invokeExact(state, 0L, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0L);
            return address == -1L ? -errno(state) : address;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * A segment over {@code size} bytes mapped at {@code address}, unmapped when {@code arena} closes.
     * Reading or writing it after the file shrank throws {@code InternalError} (the JVM turns the SIGBUS
     * of a Java access into one); never hand its memory to libc.
     */
    static MemorySegment mappedSegment(long address, long size, Arena arena) {
        return MemorySegment.ofAddress(address).reinterpret(size, arena, ignored -> munmap(address, size));
    }

    static int munmap(long address, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return orErrno((int) MUNMAP.invokeExact(state, address, size), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int msync(long address, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return orErrno((int) MSYNC.invokeExact(state, address, size, MS_SYNC), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The C library's text for an error number, such as "No space left on device". */
    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.equals(MemorySegment.NULL) ? "Unknown error " + errno : text.getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int clockGettime(int clock, long timespecAddress) {
        try {
            return (int) CLOCK_GETTIME.invokeExact(clock, timespecAddress);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets the process-wide file mode creation mask and returns the old one (tests use it). */
    static int umask(int mask) {
        try {
            return (int) UMASK.invokeExact(mask);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int kill(int pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return orErrno((int) KILL.invokeExact(state, pid, signal), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code FUTEX_WAIT} on the 32-bit word at {@code address}: 0 when woken, or -errno ({@code EAGAIN}: the
     * word did not hold {@code expected}; {@code ETIMEDOUT}; {@code EINTR}: a signal; {@code EFAULT}: the
     * address is not mapped, for instance because the file shrank). A negative timeout waits forever.
     */
    static int futexWait(long address, int expected, long timeoutNanos) {
        FutexScratch scratch = FUTEX_SCRATCH.get();
        MemorySegment timeout = scratch.timeout;
        MemorySegment state = scratch.state;
        MemorySegment timeoutArgument = MemorySegment.NULL;
        if (timeoutNanos >= 0) {
            TV_SEC.set(timeout, 0L, timeoutNanos / 1_000_000_000L);
            TV_NSEC.set(timeout, 0L, timeoutNanos % 1_000_000_000L);
            timeoutArgument = timeout;
        }
        try {
            // Waits run once per park, so the call itself goes without errno capture (whose per-call slice
            // is not always optimised away). A failure is then classified by a second wait that cannot
            // sleep (zero timeout), with capture: EAGAIN (the word changed), EFAULT (the file shrank), or
            // ETIMEDOUT, meaning the word still holds the value and the first wait timed out or was
            // interrupted by a signal (told apart by the clock).
            long start = System.nanoTime();
            long result = (long) SYSCALL_FUTEX_UNCAPTURED.invokeExact(SYS_FUTEX, address, (long) FUTEX_WAIT,
                expected & 0xFFFF_FFFFL, timeoutArgument, 0L, 0L);
            if (result == 0) {
                return 0;
            }
            long elapsed = System.nanoTime() - start;
            TV_SEC.set(timeout, 0L, 0L);
            TV_NSEC.set(timeout, 0L, 0L);
            long probe = (long) SYSCALL_FUTEX.invokeExact(state, SYS_FUTEX, address, (long) FUTEX_WAIT,
                expected & 0xFFFF_FFFFL, timeout, 0L, 0L);
            if (probe == 0) {
                return 0;
            }
            int errno = errno(state);
            if (errno == Errno.ETIMEDOUT) {
                return timeoutNanos >= 0 && elapsed >= timeoutNanos ? -Errno.ETIMEDOUT : -Errno.EINTR;
            }
            return -errno;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code FUTEX_WAKE}: the number of waiters woken, or -errno. */
    static int futexWake(long address, int count) {
        MemorySegment state = FUTEX_SCRATCH.get().state;
        try {
            // Wakes run once per commit while someone is parked: no errno capture unless it fails (then
            // repeated with capture; an extra wake is only a spurious wakeup for a waiter).
            long fast = (long) SYSCALL_FUTEX_UNCAPTURED.invokeExact(SYS_FUTEX, address, (long) FUTEX_WAKE,
                (long) count, MemorySegment.NULL, 0L, 0L);
            if (fast >= 0) {
                return (int) fast;
            }
            long result = (long) SYSCALL_FUTEX.invokeExact(state, SYS_FUTEX, address, (long) FUTEX_WAKE,
                (long) count, MemorySegment.NULL, 0L, 0L);
            return result >= 0 ? (int) result : -errno(state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code mq_open(name, flags, mode, attr)}: the queue descriptor, or -errno. With {@code maxMessages}
     * 0 the attribute pointer is NULL (the system defaults, or an existing queue's own).
     */
    static int mqOpen(String name, int flags, int mode, long maxMessages, long messageSize) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment attr = MemorySegment.NULL;
            if (maxMessages > 0) {
                attr = arena.allocate(MQ_ATTR);
                MQ_MAXMSG.set(attr, 0L, maxMessages);
                MQ_MSGSIZE.set(attr, 0L, messageSize);
            }
            return orErrno((int) MQ_OPEN.invokeExact(state, arena.allocateFrom(name), flags, mode, attr), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mqUnlink(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return orErrno((int) MQ_UNLINK.invokeExact(state, arena.allocateFrom(name)), state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code mq_getattr}: {maxmsg, msgsize, curmsgs}, or null with {@code errnoOut[0]} set. */
    static long[] mqGetattr(int mqd, int[] errnoOut) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment attr = arena.allocate(MQ_ATTR);
            int result = (int) MQ_GETATTR.invokeExact(state, mqd, attr);
            if (result != 0) {
                errnoOut[0] = errno(state);
                return null;
            }
            return new long[] {(long) MQ_MAXMSG.get(attr, 0L), (long) MQ_MSGSIZE.get(attr, 0L),
                (long) MQ_CURMSGS.get(attr, 0L)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code mq_send(mqd, buffer + offset, length, priority)}: 0, or -errno ({@code EAGAIN}: the queue is
     * full, on a non-blocking descriptor). Same memory rule as {@link #read}.
     */
    static int mqSend(int mqd, MemorySegment buffer, long offset, long length, int priority) {
        java.util.Objects.checkFromIndexSize(offset, length, buffer.byteSize());
        try {
            int fast = (int) MQ_SEND_UNCAPTURED.invokeExact(mqd, buffer.address() + offset, length, priority);
            if (fast == 0) {
                return 0;
            }
            if (!readyNow(mqd, POLLOUT)) {
                return -Errno.EAGAIN; // the common failure (full), told apart without errno
            }
            MemorySegment state = IO_SCRATCH.get().state;
            int result = (int) MQ_SEND.invokeExact(state, mqd, buffer.address() + offset, length, priority);
            return result == 0 ? 0 : -errno(state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code mq_receive(mqd, buffer + offset, capacity, NULL)}: the message's length, or -errno
     * ({@code EAGAIN}: empty; {@code EMSGSIZE}: {@code capacity} is under the queue's message size).
     */
    static long mqReceive(int mqd, MemorySegment buffer, long offset, long capacity) {
        java.util.Objects.checkFromIndexSize(offset, capacity, buffer.byteSize());
        try {
            long fast = (long) MQ_RECEIVE_UNCAPTURED.invokeExact(mqd, buffer.address() + offset, capacity, 0L);
            if (fast >= 0) {
                return fast;
            }
            if (!readyNow(mqd, POLLIN)) {
                return -Errno.EAGAIN;
            }
            MemorySegment state = IO_SCRATCH.get().state;
            long result = (long) MQ_RECEIVE.invokeExact(state, mqd, buffer.address() + offset, capacity, 0L);
            return result >= 0 ? result : -errno(state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code pidfd_open(pid, 0)}: a descriptor that polls readable once the process has exited, or -errno. */
    static int pidfdOpen(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long result = (long) SYSCALL_PIDFD_OPEN.invokeExact(state, SYS_PIDFD_OPEN, (long) pid, 0L);
            return result >= 0 ? (int) result : -errno(state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets entry {@code index} of a {@code struct pollfd} array. */
    static void setPollFd(MemorySegment fds, int index, int fd, short events) {
        long at = index * POLLFD.byteSize();
        POLL_FD.set(fds, at, fd);
        POLL_EVENTS.set(fds, at, events);
        POLL_REVENTS.set(fds, at, (short) 0);
    }

    /** The {@code revents} of entry {@code index} of a {@code struct pollfd} array. */
    static int pollRevents(MemorySegment fds, int index) {
        return Short.toUnsignedInt((short) POLL_REVENTS.get(fds, index * POLLFD.byteSize()));
    }

    /**
     * {@code poll(fds, count, timeoutMillis)} on a caller's array of {@code struct pollfd}: how many have
     * events (0 on timeout), or -errno. Uses {@code state} for errno only when the call fails.
     */
    static int pollArray(MemorySegment fds, int count, int timeoutMillis, MemorySegment state) {
        try {
            int result = (int) POLL_UNCAPTURED.invokeExact(fds, (long) count, timeoutMillis);
            if (result >= 0) {
                return result;
            }
            for (int i = 0; i < count; i++) {
                POLL_REVENTS.set(fds, i * POLLFD.byteSize(), (short) 0);
            }
            result = (int) POLL.invokeExact(state, fds, (long) count, timeoutMillis);
            return result >= 0 ? result : -errno(state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Memory for the call state of one caller of {@link #pollArray}. */
    static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    private static int orErrno(int result, MemorySegment state) {
        return result == -1 ? -errno(state) : result;
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static VarHandle field(StructLayout layout, String name) {
        return layout.varHandle(PathElement.groupElement(name));
    }

    static MethodHandle errnoCall(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = ERRNO_OPTION;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return plainCall(name, descriptor, options);
    }

    static MethodHandle plainCall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name).orElseThrow(
            () -> new UnsupportedOperationException("The C library has no " + name + "()"));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    private static boolean checkPlatform() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
        if (!os.equals("Linux") || !(x64 || arm64) || ADDRESS.byteSize() != 8) {
            throw new UnsupportedOperationException("ringbus shared memory needs 64-bit Linux on x86_64 or aarch64;"
                + " this JVM runs on " + os + "/" + arch);
        }
        return arm64;
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (t instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException("Native call failed", t);
    }
}
