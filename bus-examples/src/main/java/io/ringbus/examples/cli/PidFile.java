package io.ringbus.examples.cli;

import io.ringbus.core.RingBusException;
import io.ringbus.core.os.IoErrors;
import io.ringbus.core.os.Processes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

/**
 * A daemon's pid file: its pid as one line of text, so that {@code kill $(cat daemon.pid)} works,
 * and a lock on the file that the daemon holds for its whole life, so that liveness never rests on
 * the pid (a pid is reused, and a pid file left by a crash names some other process soon enough).
 *
 * <ul>
 *   <li>A pid file whose lock is held belongs to a live daemon: a second one is refused.</li>
 *   <li>One whose lock is free is stale (its daemon died, or something else wrote it) and is
 *       replaced.</li>
 *   <li>It is written atomically: the pid goes into a temporary file in the same directory (mode
 *       0600, locked first), which is then renamed or linked into place, so a reader sees either no
 *       file or the whole pid.</li>
 *   <li>{@link #close()} removes it (if it is still ours) while the lock is held.</li>
 * </ul>
 *
 * <p>The lock is a classic POSIX record lock ({@code FileChannel.tryLock}), which the kernel drops
 * when the holder dies, but also when the holding process closes any descriptor of the file: the
 * daemon never opens its own pid file a second time.
 */
final class PidFile implements AutoCloseable {
    private static final int ATTEMPTS = 20;

    private final Path path;
    private final FileChannel channel;
    private final Object fileKey;
    private boolean closed;

    private PidFile(Path path, FileChannel channel, Object fileKey) {
        this.path = path;
        this.channel = channel;
        this.fileKey = fileKey;
    }

    /** Where the pid file is. */
    Path path() {
        return path;
    }

    /**
     * Fails if a live daemon holds the pid file at {@code path}; returns quietly when there is none,
     * or a stale one.
     */
    static void checkNotRunning(Path path) {
        try (FileChannel existing = openExisting(path)) {
            if (existing != null) {
                FileLock lock = tryLock(existing);
                if (lock == null) {
                    throw running(path, existing);
                }
                lock.release();
            }
        } catch (IOException e) {
            throw new RingBusException("cannot read pid file " + path + ": " + IoErrors.reason(e) + ". "
                + IoErrors.advice(e, path) + " --pid-file FILE puts it elsewhere.", e);
        }
    }

    /**
     * Writes this process's pid to {@code path} and holds its lock: replaces a stale file, refuses a
     * live daemon's.
     *
     * @throws RingBusException naming the live daemon's pid, or what went wrong with the file
     */
    static PidFile claim(Path path) {
        Path absolute = path.toAbsolutePath();
        long pid = Processes.currentPid();
        Path temporary = absolute.resolveSibling("." + absolute.getFileName() + "." + pid + ".tmp");
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            FileChannel fresh = null;
            try (FileChannel existing = openExisting(absolute)) {
                if (existing != null && tryLock(existing) == null) {
                    throw running(absolute, existing);
                }
                Files.deleteIfExists(temporary);
                fresh = FileChannel.open(temporary, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                if (fresh.tryLock() == null) {
                    throw new IllegalStateException("a new file is locked already: " + temporary);
                }
                fresh.write(ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.US_ASCII)));
                fresh.force(true);
                Object key = Files.readAttributes(temporary, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
                if (existing != null) {
                    // We hold the stale file's lock: anyone else trying now is refused until this rename.
                    Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                } else {
                    try {
                        Files.createLink(absolute, temporary); // fails if another daemon got there first
                    } catch (FileAlreadyExistsException raced) {
                        fresh.close();
                        fresh = null;
                        Files.deleteIfExists(temporary);
                        continue;
                    }
                    Files.delete(temporary);
                }
                PidFile claimed = new PidFile(absolute, fresh, key);
                fresh = null;
                return claimed;
            } catch (IOException e) {
                throw new RingBusException("cannot write pid file " + absolute + ": " + IoErrors.reason(e)
                    + (Files.isDirectory(absolute.getParent()) ? "" : "; its directory does not exist") + ". "
                    + IoErrors.advice(e, absolute) + " --pid-file FILE puts it elsewhere.", e);
            } finally {
                if (fresh != null) {
                    closeQuietly(fresh);
                    try {
                        Files.deleteIfExists(temporary);
                    } catch (IOException ignored) {
                        // Nothing more to do; a stale temporary file is harmless.
                    }
                }
            }
        }
        throw new RingBusException("pid file " + absolute + " keeps changing under us: is another daemon"
            + " starting with it?");
    }

    /** The pid written in the file at {@code path}, or -1 if there is none or it holds no pid. */
    static long read(Path path) {
        try {
            return Long.parseLong(Files.readString(path, StandardCharsets.US_ASCII).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static FileChannel openExisting(Path path) throws IOException {
        try {
            return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            if (Files.isSymbolicLink(path)) {
                throw new IOException("it is a symbolic link; remove it", e);
            }
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // held by this JVM
        }
    }

    private static RingBusException running(Path path, FileChannel channel) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(32);
        channel.read(bytes, 0);
        String pid = new String(bytes.array(), 0, bytes.position(), StandardCharsets.US_ASCII).strip();
        return new RingBusException("a daemon (pid " + pid + ") is running with pid file " + path + "; stop it"
            + " first (kill " + pid + "), or give another --pid-file");
    }

    /** Removes the file if it is still this one (someone may have removed or replaced it), then unlocks. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (Objects.equals(key, fileKey)) {
                Files.delete(path);
            }
        } catch (IOException ignored) {
            // Removed already.
        } finally {
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // The descriptor is released anyway.
        }
    }
}
