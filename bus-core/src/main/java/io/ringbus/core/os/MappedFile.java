package io.ringbus.core.os;

import java.lang.foreign.Arena;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A shared file mapped read-write ({@code MAP_SHARED}) into this process, from
 * {@link SharedFiles#createExclusive} or {@link SharedFiles#openExisting}. The mapping was made from the
 * very descriptor whose type, owner and mode were checked, so no path swap can slip another file in.
 *
 * <p>The segment belongs to a shared arena: any thread may use it until {@link #close()}, which unmaps
 * it (waiting out concurrent Java accesses, as {@code Arena.close} does) and closes the descriptor.
 * If another process shrinks the file, a Java access to the lost pages throws {@code InternalError}
 * (raised asynchronously: see {@code io.ringbus.core.LostPages}), and {@link #currentSize()} tells it;
 * never pass addresses in the segment to C library functions, which would crash the JVM with SIGBUS
 * (the futex system call is safe: it returns EFAULT, see {@link Futex}).
 */
public final class MappedFile implements AutoCloseable {
    private final Path path;
    private final int fd;
    private final Arena arena;
    private final MemorySegment segment;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<Long> lockedHere = ConcurrentHashMap.newKeySet();

    MappedFile(Path path, int fd, long address, long size) {
        this.path = path;
        this.fd = fd;
        this.arena = Arena.ofShared();
        this.segment = PosixBindings.mappedSegment(address, size, arena);
    }

    /** The path the file was created or opened at. */
    public Path path() {
        return path;
    }

    /** The whole file, mapped. Its scope ends at {@link #close()}. */
    public MemorySegment segment() {
        return segment;
    }

    /** The mapped size in bytes: the file's size when it was created or opened. */
    public long size() {
        return segment.byteSize();
    }

    /**
     * The file's size now, asked of its descriptor ({@code statx}), or -1 once closed or when the call
     * fails. Smaller than {@link #size()} when another process truncated the file: Java accesses to the
     * pages past its end fault. A system call (about a microsecond), and a point where HotSpot delivers a
     * fault of an earlier access to this thread: for opening and error paths, never per message.
     */
    public long currentSize() {
        if (closed.get()) {
            return -1;
        }
        FileStat stat = PosixBindings.fstat(fd);
        return stat.errno() == 0 ? stat.size() : -1;
    }

    /**
     * Whether {@code path} names this very file now (the inode of its descriptor): false once another
     * process removed the file, or removed it and made another in its place, and once this is closed.
     * Two system calls: for opening paths, never per message.
     */
    public boolean isAt(Path path) {
        if (closed.get()) {
            return false;
        }
        FileStat stat = PosixBindings.fstat(fd);
        if (stat.errno() != 0) {
            return false;
        }
        try {
            return Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS) instanceof Long inode
                && inode == stat.inode();
        } catch (IOException gone) {
            return false;
        }
    }

    /**
     * Writes modified pages back to the file and waits ({@code msync(MS_SYNC)}). Only files on a disk
     * need it, to survive a crash of the machine; on /dev/shm it does nothing useful.
     */
    public void force() {
        int result = PosixBindings.msync(segment.address(), segment.byteSize());
        if (result < 0) {
            throw Failures.of("write back", path, -result);
        }
    }

    /**
     * Takes an exclusive open-file-description lock on byte {@code offset} (usually far past the end
     * of the file) for this mapping's descriptor. The kernel releases it when this file is closed or
     * the process dies. Returns false when any other holder (another process, or another
     * {@code MappedFile} of the same file in this one) has it, or when this one already does.
     */
    public boolean tryLockByte(long offset) {
        if (!lockedHere.add(offset)) {
            return false;
        }
        if (ByteRangeLocks.tryLock(fd, path, offset)) {
            return true;
        }
        lockedHere.remove(offset);
        return false;
    }

    /** Releases this file's lock on byte {@code offset}, if it holds one. */
    public void unlockByte(long offset) {
        if (lockedHere.remove(offset) && !closed.get()) {
            ByteRangeLocks.unlock(fd, path, offset);
        }
    }

    /**
     * Whether anyone holds a lock on byte {@code offset}: this file, or any other open file description
     * in any process. A slot whose lock nobody holds has no live owner.
     */
    public boolean isLockHeld(long offset) {
        return lockedHere.contains(offset) || ByteRangeLocks.isLockedElsewhere(fd, path, offset);
    }

    /** The descriptor the mapping was made from, open until {@link #close()} (for fd-based calls). */
    int fd() {
        return fd;
    }

    /**
     * Unmaps the file and closes its descriptor. Idempotent. Throws {@code IllegalStateException} (and
     * stays open) while another thread holds the segment in a native call. Never throws the
     * {@code InternalError} of an earlier access to a lost page, which HotSpot may deliver on the way
     * back from either step (it raises it asynchronously): moot once the mapping is gone.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            arena.close();
        } catch (IllegalStateException e) {
            closed.set(false);
            throw e;
        } catch (InternalError faultOfAnEarlierAccess) {
            // Delivered on the way back from unmapping; the descriptor is closed below all the same.
        }
        try {
            PosixBindings.close(fd);
        } catch (InternalError faultOfAnEarlierAccess) {
            // Delivered on the way back from close(2), which is done.
        }
    }

    @Override
    public String toString() {
        return "MappedFile[" + path + ", " + segment.byteSize() + " bytes]";
    }
}
