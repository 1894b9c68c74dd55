package io.ringbus.core.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * Open-file-description byte-range locks ({@code fcntl F_OFD_SETLK}, Linux 3.15+) on single bytes,
 * used to own slots: the kernel drops a lock when the last descriptor of its open file description
 * closes, which includes the death of the process. Unlike classic POSIX record locks
 * ({@code FileChannel.lock}), they are not all dropped when the process closes any other descriptor
 * of the same file, and two descriptions in one process conflict like two processes do.
 *
 * <p>The bytes locked lie far past the end of the file: a lock needs no data under it.
 */
final class ByteRangeLocks {
    private static final int F_OFD_GETLK = 36;
    private static final int F_OFD_SETLK = 37;
    private static final short F_WRLCK = 1;
    private static final short F_UNLCK = 2;
    private static final short SEEK_SET = 0;
    private static final int EAGAIN = 11;
    private static final int EACCES = 13;

    /** {@code struct flock} on x86_64 and aarch64 Linux: 32 bytes. */
    private static final StructLayout FLOCK = MemoryLayout.structLayout(
        ValueLayout.JAVA_SHORT.withName("l_type"),
        ValueLayout.JAVA_SHORT.withName("l_whence"),
        MemoryLayout.paddingLayout(4),
        ValueLayout.JAVA_LONG.withName("l_start"),
        ValueLayout.JAVA_LONG.withName("l_len"),
        ValueLayout.JAVA_INT.withName("l_pid"),
        MemoryLayout.paddingLayout(4));
    private static final VarHandle L_TYPE = FLOCK.varHandle(MemoryLayout.PathElement.groupElement("l_type"));
    private static final VarHandle L_WHENCE = FLOCK.varHandle(MemoryLayout.PathElement.groupElement("l_whence"));
    private static final VarHandle L_START = FLOCK.varHandle(MemoryLayout.PathElement.groupElement("l_start"));
    private static final VarHandle L_LEN = FLOCK.varHandle(MemoryLayout.PathElement.groupElement("l_len"));

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle FCNTL;

    static {
        Linker linker = Linker.nativeLinker();
        FCNTL = linker.downcallHandle(
            linker.defaultLookup().findOrThrow("fcntl"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS),
            Linker.Option.firstVariadicArg(2),
            Linker.Option.captureCallState("errno"));
    }

    private ByteRangeLocks() {
    }

    /**
     * Takes an exclusive lock on byte {@code offset}: true if taken, false if another description
     * holds it. Other failures (a file system without OFD locks, a bad descriptor) are typed errors
     * naming {@code path}.
     */
    static boolean tryLock(int fd, Path path, long offset) {
        int errno = call(fd, F_OFD_SETLK, F_WRLCK, offset, null);
        if (errno == 0) {
            return true;
        }
        if (errno == EAGAIN || errno == EACCES) {
            return false;
        }
        throw Failures.of("lock a slot byte of", path, errno);
    }

    /** Releases this description's lock on byte {@code offset}, if it has one. */
    static void unlock(int fd, Path path, long offset) {
        int errno = call(fd, F_OFD_SETLK, F_UNLCK, offset, null);
        if (errno != 0) {
            throw Failures.of("unlock a slot byte of", path, errno);
        }
    }

    /** Whether another open file description (of any process) holds a lock on byte {@code offset}. */
    static boolean isLockedElsewhere(int fd, Path path, long offset) {
        short[] type = new short[1];
        int errno = call(fd, F_OFD_GETLK, F_WRLCK, offset, type);
        if (errno != 0) {
            throw Failures.of("test a slot lock of", path, errno);
        }
        return type[0] != F_UNLCK;
    }

    private static int call(int fd, int command, short lockType, long offset, short[] resultType) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment flock = arena.allocate(FLOCK);
            L_TYPE.set(flock, 0L, lockType);
            L_WHENCE.set(flock, 0L, SEEK_SET);
            L_START.set(flock, 0L, offset);
            L_LEN.set(flock, 0L, 1L);
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) FCNTL.invokeExact(state, fd, command, flock);
            if (result == -1) {
                return (int) ERRNO.get(state, 0L);
            }
            if (resultType != null) {
                resultType[0] = (short) L_TYPE.get(flock, 0L);
            }
            return 0;
        } catch (Throwable e) {
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("fcntl downcall failed", e);
        }
    }
}
