package io.ringbus.core.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Creates, opens and maps the files that hold shared memory, safely against other users of the machine.
 *
 * <ul>
 *   <li>No symbolic link is ever followed at the last component of a path ({@code O_NOFOLLOW}); a
 *       directory's own path must not be a link either.</li>
 *   <li>Modes are exact whatever the umask: set with {@code fchmod} after creation.</li>
 *   <li>Everything is checked on the open descriptor ({@code statx}), and the mapping is made from that
 *       same descriptor, so the file checked is the file mapped.</li>
 *   <li>A new file's whole size is reserved with {@code posix_fallocate} before it is mapped: a full
 *       file system fails here with {@link FileSystemFullException}, never later as a SIGBUS.</li>
 * </ul>
 * Every failure is a {@link SharedFileException} naming the path, the system's error text and what to do.
 */
public final class SharedFiles {
    /** Mode of a directory of topics: its owner only. */
    public static final int DIRECTORY_MODE = 0700;
    /** Mode of a shared file: its owner only. */
    public static final int FILE_MODE = 0600;
    /** Mode of a shared file whose group may use it too. */
    public static final int GROUP_FILE_MODE = 0660;
    /** {@code groupId} value that keeps the group the file system gives a new file. */
    public static final int KEEP_GROUP = -1;

    private static final int DIRECTORY_OPEN = PosixBindings.O_RDONLY | PosixBindings.O_DIRECTORY
        | PosixBindings.O_NOFOLLOW | PosixBindings.O_CLOEXEC;
    private static final int CREATE_OPEN = PosixBindings.O_RDWR | PosixBindings.O_CREAT | PosixBindings.O_EXCL
        | PosixBindings.O_NOFOLLOW | PosixBindings.O_CLOEXEC | PosixBindings.O_NOCTTY;
    /** O_NONBLOCK so that a FIFO planted at the path cannot block the open; fstat then refuses it. */
    private static final int EXISTING_OPEN = PosixBindings.O_RDWR | PosixBindings.O_NOFOLLOW
        | PosixBindings.O_CLOEXEC | PosixBindings.O_NOCTTY | PosixBindings.O_NONBLOCK;

    private SharedFiles() {
    }

    /** {@link #ensureDirectory(Path, int)} with {@link #DIRECTORY_MODE} (0700). */
    public static void ensureDirectory(Path dir) {
        ensureDirectory(dir, DIRECTORY_MODE);
    }

    /**
     * Creates {@code dir} with exactly {@code mode}, or checks the directory already there: a real
     * directory (not a symbolic link), owned by this process's effective uid, with exactly {@code mode}.
     * Its parent must exist. Safe to call concurrently from several processes.
     *
     * @param mode permission bits: the owner's rwx and at most group bits, such as 0700 or 0750
     * @throws FileTypeException       a symbolic link or a non-directory is at the path
     * @throws FilePermissionException owned by another user, or another mode
     * @throws FileMissingException    the parent directory does not exist
     */
    public static void ensureDirectory(Path dir, int mode) {
        if ((mode & ~0770) != 0 || (mode & 0700) != 0700) {
            throw new IllegalArgumentException("Directory mode " + Failures.octal(mode)
                + " must give its owner rwx and nothing to others, such as 0700 or 0750");
        }
        Path path = dir.toAbsolutePath();
        int made = PosixBindings.mkdir(path.toString(), mode);
        if (made < 0 && made != -Errno.EEXIST) {
            throw Failures.of("create directory", path, -made);
        }
        int fd = PosixBindings.open(path.toString(), DIRECTORY_OPEN, 0);
        if (fd < 0) {
            throw directoryOpenFailure(path, -fd);
        }
        try {
            FileStat stat = stat(fd, path);
            checkOwner(stat, path, "directory");
            if (made == 0) {
                check(PosixBindings.fchmod(fd, mode), "set the mode of", path);
            } else if (stat.permissions() != mode) {
                throw new FilePermissionException("Directory " + path + " has mode "
                    + Failures.octal(stat.permissions()) + ", expected " + Failures.octal(mode)
                    + ": other users could plant or read files there. If you"
                    + " trust its content, chmod " + Integer.toOctalString(mode) + " " + path
                    + "; otherwise remove it.", path, 0);
            }
        } finally {
            PosixBindings.close(fd);
        }
    }

    /** {@link #createExclusive(Path, long, int, int)} keeping the file system's group for the file. */
    public static MappedFile createExclusive(Path file, long size, int mode) {
        return createExclusive(file, size, mode, KEEP_GROUP);
    }

    /**
     * Creates a new file of {@code size} bytes (zero-filled, all of it reserved on the file system), with
     * exactly {@code mode} and optionally group {@code groupId}, and maps it. Fails if anything, even a
     * dangling symbolic link, is already at the path. On any failure the new file is removed.
     *
     * @param size    bytes, at least 1
     * @param mode    {@link #FILE_MODE} (0600), {@link #GROUP_FILE_MODE} (0660), or any mode giving its owner
     *                read-write and nothing to others
     * @param groupId the group to give the file, or {@link #KEEP_GROUP}
     * @throws FileExistsException     something is at the path already
     * @throws FileSystemFullException the file system has no room for {@code size} bytes
     * @throws FileMissingException    the directory does not exist
     */
    public static MappedFile createExclusive(Path file, long size, int mode, int groupId) {
        checkFileMode(mode);
        if (size <= 0) {
            throw new IllegalArgumentException("Size of " + file + " must be positive, not " + size);
        }
        Path path = file.toAbsolutePath();
        int fd = PosixBindings.open(path.toString(), CREATE_OPEN, mode);
        if (fd < 0) {
            throw createFailure(path, -fd);
        }
        FileStat stat = null;
        try {
            stat = stat(fd, path);
            if (groupId != KEEP_GROUP) {
                check(PosixBindings.fchown(fd, -1, groupId), "set the group " + groupId + " of", path);
            }
            check(PosixBindings.fchmod(fd, mode), "set the mode of", path);
            reserve(fd, path, size);
            return map(fd, path, size);
        } catch (RuntimeException | Error e) {
            PosixBindings.close(fd);
            removeCreated(path, stat, e);
            throw e;
        }
    }

    /**
     * Opens an existing file and maps all of it, after checking on the open descriptor that it is a
     * regular file (not a symbolic link, never followed), owned by this process's effective uid, with
     * exactly {@code expectedMode}, and at least {@code minimumSize} bytes long.
     *
     * @throws FileMissingException    nothing is at the path
     * @throws FileTypeException       a symbolic link, directory, FIFO, socket or device is at the path
     * @throws FilePermissionException another owner or another mode
     * @throws FileTruncatedException  smaller than {@code minimumSize}
     */
    public static MappedFile openExisting(Path file, int expectedMode, long minimumSize) {
        checkFileMode(expectedMode);
        if (minimumSize <= 0) {
            throw new IllegalArgumentException("Minimum size must be positive, not " + minimumSize);
        }
        Path path = file.toAbsolutePath();
        int fd = PosixBindings.open(path.toString(), EXISTING_OPEN, 0);
        if (fd < 0) {
            throw Failures.of("open shared file", path, -fd);
        }
        boolean done = false;
        try {
            FileStat stat = stat(fd, path);
            if (!stat.isRegularFile()) {
                throw new FileTypeException("Cannot open shared file " + path + ": it is " + stat.typeName()
                    + ", not a regular file. Remove it, or check the path.", path, 0);
            }
            checkOwner(stat, path, "file");
            if (stat.permissions() != expectedMode) {
                throw new FilePermissionException("Shared file " + path + " has mode "
                    + Failures.octal(stat.permissions()) + ", expected " + Failures.octal(expectedMode)
                    + ": someone changed it, and others may have read or written it. Remove it and create it"
                    + " again, or chmod " + Integer.toOctalString(expectedMode) + " " + path + " if you trust it.",
                    path, 0);
            }
            if (stat.size() < minimumSize) {
                throw new FileTruncatedException("Shared file " + path + " is " + stat.size() + " bytes, less than"
                    + " the " + minimumSize + " its content needs: its creator died before reserving it, or someone"
                    + " truncated it. Remove it and create it again.", path, 0);
            }
            MappedFile mapped = map(fd, path, stat.size());
            done = true;
            return mapped;
        } finally {
            if (!done) {
                PosixBindings.close(fd);
            }
        }
    }

    /** With O_DIRECTORY, a symbolic link at the path gives ENOTDIR (not ELOOP): say which it is. */
    private static SharedFileException directoryOpenFailure(Path path, int errno) {
        if (errno != Errno.ENOTDIR && errno != Errno.ELOOP) {
            return Failures.of("open directory", path, errno);
        }
        String what = Files.isSymbolicLink(path)
            ? "it is a symbolic link, which ringbus never follows for its directories (someone may be trying to"
                + " redirect it). Remove the link"
            : "something other than a directory is there. Remove it";
        return new FileTypeException("Cannot use " + path + " as a directory: " + Errno.describe(errno) + "; " + what
            + ", or choose another directory.", path, errno);
    }

    private static SharedFileException createFailure(Path path, int errno) {
        if (errno == Errno.EEXIST && Files.isSymbolicLink(path)) {
            return new FileExistsException("Cannot create shared file " + path + ": " + Errno.describe(errno)
                + "; it is a symbolic link, which ringbus never follows (someone may be trying to redirect the"
                + " file). Remove the link.", path, errno);
        }
        return Failures.of("create shared file", path, errno);
    }

    /** posix_fallocate, retried when a signal interrupts it (tmpfs checks for signals between pages). */
    private static void reserve(int fd, Path path, long size) {
        int error;
        do {
            error = PosixBindings.posixFallocate(fd, 0, size);
        } while (error == Errno.EINTR);
        if (error == Errno.ENOSPC || error == Errno.EDQUOT) {
            throw new FileSystemFullException("Cannot create shared file " + path + " of " + size + " bytes: "
                + Errno.describe(error) + " while reserving it; the partial file was removed. Free space in "
                + describeParent(path) + " (remove stale topics), make it bigger (for /dev/shm: mount -o"
                + " remount,size=...; in Docker: --shm-size), or ask for a smaller topic.", path, error);
        }
        if (error != 0) {
            throw Failures.of("reserve " + size + " bytes for", path, error);
        }
    }

    private static MappedFile map(int fd, Path path, long size) {
        long address = PosixBindings.mmapShared(fd, size);
        if (address < 0) {
            int errno = (int) -address;
            if (errno == Errno.ENOMEM) {
                throw new SharedFileException("Cannot map " + path + " (" + size + " bytes): " + Errno.describe(errno)
                    + ". The process is out of address space or mappings: close unused topics, or raise"
                    + " vm.max_map_count.", path, errno);
            }
            throw Failures.of("map", path, errno);
        }
        return new MappedFile(path, fd, address, size);
    }

    private static FileStat stat(int fd, Path path) {
        FileStat stat = PosixBindings.fstat(fd);
        if (stat.errno() != 0) {
            throw Failures.of("inspect", path, stat.errno());
        }
        return stat;
    }

    private static void checkOwner(FileStat stat, Path path, String what) {
        int euid = PosixBindings.geteuid();
        if (stat.uid() != euid) {
            throw new FilePermissionException("Shared " + what + " " + path + " is owned by uid "
                + Integer.toUnsignedString(stat.uid()) + ", not by this process's uid " + Integer.toUnsignedString(euid)
                + ": another user made it and could read or change its memory. Run as that user, remove it, or"
                + " choose another directory.", path, 0);
        }
    }

    private static void checkFileMode(int mode) {
        if ((mode & ~0660) != 0 || (mode & 0600) != 0600) {
            throw new IllegalArgumentException("File mode " + Failures.octal(mode)
                + " must give its owner read-write and nothing to others, such as 0600 or 0660");
        }
    }

    private static void check(int result, String action, Path path) {
        if (result < 0) {
            throw Failures.of(action, path, -result);
        }
    }

    /**
     * Removes the file this process created, unless someone replaced it meanwhile (then it is not ours to
     * remove); a failure to remove is added to {@code failure}.
     */
    private static void removeCreated(Path path, FileStat created, Throwable failure) {
        try {
            Object inode = Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            if (created == null || inode instanceof Long number && number == created.inode()) {
                Files.delete(path);
            }
        } catch (NoSuchFileException ignored) {
            // Already gone.
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static String describeParent(Path path) {
        Path parent = path.getParent();
        return parent == null ? "its file system" : "the file system of " + parent;
    }
}
