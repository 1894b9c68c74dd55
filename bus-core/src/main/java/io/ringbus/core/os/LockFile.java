package io.ringbus.core.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A lock file that says one process serves something (such as a bridge serving a FIFO directory): an
 * open-file-description lock ({@code fcntl F_OFD_SETLK}) on its first byte, which the kernel drops
 * when the holder closes it or dies, so a lock file left by a dead process is never mistaken for a live
 * one. The file holds the holder's pid as text, for messages only.
 *
 * <p>Two {@code tryLock} calls conflict even within one process. The file is created mode 0600, never
 * through a symbolic link, and must be a regular file owned by this process's effective uid.
 * {@link #close()} removes it while still holding the lock; a taker that opened the old file meanwhile
 * sees that the path names another file (or none) and tries again, so two holders never coexist.
 */
public final class LockFile implements AutoCloseable {
    private static final int OPEN = PosixBindings.O_RDWR | PosixBindings.O_CREAT | PosixBindings.O_NOFOLLOW
        | PosixBindings.O_CLOEXEC | PosixBindings.O_NOCTTY;
    private static final int ATTEMPTS = 100;

    private final Path path;
    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LockFile(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /**
     * Creates or opens the lock file and takes its lock, writing this process's pid into it.
     *
     * @return the held lock, or null when another holder (any process, or another {@code LockFile} here)
     *     has it
     * @throws FileTypeException       something other than a regular file is at the path
     * @throws FilePermissionException the file belongs to another user
     * @throws FileMissingException    the directory does not exist
     */
    public static LockFile tryLock(Path path) {
        Path absolute = path.toAbsolutePath();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int fd = PosixBindings.open(absolute.toString(), OPEN, SharedFiles.FILE_MODE);
            if (fd < 0) {
                throw Failures.of("open lock file", absolute, -fd);
            }
            boolean keep = false;
            try {
                FileStat stat = checked(fd, absolute);
                if (!ByteRangeLocks.tryLock(fd, absolute, 0)) {
                    return null;
                }
                if (!namesInode(absolute, stat)) {
                    continue; // the holder removed it between our open and our lock: take the new one
                }
                check(PosixBindings.fchmod(fd, SharedFiles.FILE_MODE), "set the mode of", absolute);
                check(PosixBindings.ftruncate(fd, 0), "truncate", absolute);
                writePid(fd, absolute);
                keep = true;
                return new LockFile(absolute, fd);
            } finally {
                if (!keep) {
                    PosixBindings.close(fd);
                }
            }
        }
        throw new SharedFileException("Cannot take lock file " + absolute + ": it was replaced " + ATTEMPTS
            + " times in a row while this process tried to lock it. Another program is fighting over it; stop it.",
            absolute, 0);
    }

    /** The pid a holder wrote into the lock file, or -1 when there is none or it cannot be read. */
    public static long holderPid(Path path) {
        try {
            String text = Files.readString(path, StandardCharsets.US_ASCII).strip();
            return text.isEmpty() ? -1 : Long.parseLong(text);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The lock file's path. */
    public Path path() {
        return path;
    }

    /** Removes the lock file and releases the lock. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            PosixBindings.unlink(path.toString());
            PosixBindings.close(fd);
        }
    }

    @Override
    public String toString() {
        return "LockFile[" + path + "]";
    }

    private static FileStat checked(int fd, Path path) {
        FileStat stat = PosixBindings.fstat(fd);
        if (stat.errno() != 0) {
            throw Failures.of("inspect", path, stat.errno());
        }
        if (!stat.isRegularFile()) {
            throw new FileTypeException("Cannot use " + path + " as a lock file: it is " + stat.typeName()
                + ". Remove it.", path, 0);
        }
        int euid = PosixBindings.geteuid();
        if (stat.uid() != euid) {
            throw new FilePermissionException("Lock file " + path + " is owned by uid "
                + Integer.toUnsignedString(stat.uid()) + ", not by this process's uid " + Integer.toUnsignedString(euid)
                + ". Run as that user, or choose a directory of your own.", path, 0);
        }
        return stat;
    }

    private static boolean namesInode(Path path, FileStat stat) {
        try {
            Object inode = Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            return inode instanceof Long number && number == stat.inode();
        } catch (IOException e) {
            return false;
        }
    }

    private static void writePid(int fd, Path path) {
        byte[] text = (PosixBindings.getpid() + "\n").getBytes(StandardCharsets.US_ASCII);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(text.length);
            buffer.copyFrom(MemorySegment.ofArray(text));
            long written = FileDescriptors.write(fd, buffer);
            if (written < 0) {
                throw Failures.of("write the pid into", path, (int) -written);
            }
        }
    }

    private static void check(int result, String action, Path path) {
        if (result < 0) {
            throw Failures.of(action, path, -result);
        }
    }
}
