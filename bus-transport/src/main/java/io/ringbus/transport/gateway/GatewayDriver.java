package io.ringbus.transport.gateway;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.Consumer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

/**
 * The media driver a gateway talks to and its Aeron client: an embedded driver of its own (the default), or an
 * external one the user started, named by its directory.
 *
 * <p><b>Embedded.</b> Its directory is {@code <bus dir>/.aeron-<name>}, owned through the lock file
 * {@code <bus dir>/.aeron-<name>.lock} (an OS lock, released however the gateway dies). The owner deletes
 * whatever a crashed predecessor left in the directory before it starts the driver, and the directory on close.
 * A second gateway of the same name on the same bus is refused while the first lives. The driver runs in
 * {@link ThreadingMode#SHARED} (one thread for conductor, sender and receiver) with a backing-off idle
 * strategy: on a machine of few cores, busy-spinning driver threads would starve the very processes they serve.
 */
public final class GatewayDriver implements AutoCloseable {
    /** Term length of the embedded driver's publications unless told otherwise (its maximum message is 1/8). */
    public static final int DEFAULT_TERM_LENGTH = 4 << 20;
    /** The longest sleep of an idle gateway's polling threads (driver, importers) unless told otherwise: 1 ms. */
    public static final long DEFAULT_MAX_PARK_NANOS = 1_000_000;
    private static final long DRIVER_TIMEOUT_MS = 10_000;
    private static final FileAttribute<?> PRIVATE =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final MediaDriver driver;
    private final Aeron aeron;
    private final FileChannel lockChannel;
    private final String directory;

    private GatewayDriver(MediaDriver driver, Aeron aeron, FileChannel lockChannel, String directory) {
        this.driver = driver;
        this.aeron = aeron;
        this.lockChannel = lockChannel;
        this.directory = directory;
    }

    /**
     * Starts an embedded driver under {@code busDirectory}, for the gateway called {@code name}.
     *
     * @throws GatewayException when another gateway of that name runs on this bus, or the driver cannot start
     */
    public static GatewayDriver embedded(Path busDirectory, String name, int termLength, Consumer<String> log) {
        return embedded(busDirectory, name, termLength, DEFAULT_MAX_PARK_NANOS, log);
    }

    /**
     * Starts an embedded driver whose idle thread sleeps {@code maxParkNanos} at most between two looks at its
     * sockets and publications: longer means less CPU while idle, and a longer wait for the first message after
     * a quiet spell.
     *
     * @throws GatewayException when another gateway of that name runs on this bus, or the driver cannot start
     */
    public static GatewayDriver embedded(Path busDirectory, String name, int termLength, long maxParkNanos,
        Consumer<String> log) {
        Path directory = busDirectory.resolve(".aeron-" + name);
        Path lockFile = busDirectory.resolve(".aeron-" + name + ".lock");
        FileChannel lockChannel = lock(lockFile, name);
        MediaDriver driver = null;
        try {
            MediaDriver.Context context = new MediaDriver.Context()
                .aeronDirectoryName(directory.toString())
                .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, maxParkNanos))
                // Its helper thread only resolves names now and then: it need not wake every millisecond.
                .asyncExecutorIdleStrategy(new SleepingMillisIdleStrategy(10))
                // We hold the lock: whatever is there was left by a gateway that crashed.
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .warnIfDirectoryExists(false)
                .termBufferSparseFile(true)
                .publicationTermBufferLength(termLength)
                .errorHandler(error -> log.accept("aeron driver: " + error));
            driver = MediaDriver.launchEmbedded(context);
            return new GatewayDriver(driver, connect(directory.toString(), log), lockChannel, directory.toString());
        } catch (RuntimeException e) {
            if (driver != null) {
                driver.close();
            }
            closeQuietly(lockChannel);
            if (e instanceof GatewayException typed) {
                throw typed;
            }
            throw new GatewayException("cannot start the embedded Aeron media driver in " + directory + ": " + e
                + " (is the bus directory writable and /dev/shm not full?)", e);
        }
    }

    /**
     * Connects to a media driver the user runs in {@code aeronDirectory}.
     *
     * @throws GatewayException when no live driver is there
     */
    public static GatewayDriver external(Path aeronDirectory, Consumer<String> log) {
        if (!CommonContext.isDriverActive(aeronDirectory.toFile(), DRIVER_TIMEOUT_MS, message -> { })) {
            throw new GatewayException("no live Aeron media driver in " + aeronDirectory + ": start one there"
                + " (java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -Daeron.dir=" + aeronDirectory
                + " -cp ringbus.jar io.aeron.driver.MediaDriver), or leave out --aeron-dir to embed one");
        }
        return new GatewayDriver(null, connect(aeronDirectory.toString(), log), null, aeronDirectory.toString());
    }

    private static Aeron connect(String directory, Consumer<String> log) {
        try {
            return Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(directory)
                .driverTimeoutMs(DRIVER_TIMEOUT_MS)
                // The client's conductor (keepalives, new images) is off the data path: Aeron's default 16 ms
                // sleep, not 1 ms, which cost an idle gateway ~1% of a core.
                .errorHandler(error -> log.accept("aeron client: " + error)));
        } catch (RuntimeException e) {
            throw new GatewayException("cannot connect to the Aeron media driver in " + directory + ": " + e
                + " (is it running, and run by this user?)", e);
        }
    }

    private static FileChannel lock(Path lockFile, String name) {
        FileChannel channel;
        try {
            // Private, as every file of the bus is.
            channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS), PRIVATE);
        } catch (IOException e) {
            throw new GatewayException("cannot open the gateway's lock file " + lockFile + ": " + e
                + " (is the bus directory writable by this user?)", e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new GatewayException("a gateway named '" + name + "' already runs on this bus (it holds "
                + lockFile + "): stop it, or give this one another --name");
        }
        return channel;
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing releases the lock; nothing else to do.
        }
    }

    /** The Aeron client. */
    public Aeron aeron() {
        return aeron;
    }

    /** The driver's directory. */
    public String directory() {
        return directory;
    }

    /** Whether the driver is embedded (ours) rather than external. */
    public boolean embedded() {
        return driver != null;
    }

    /** Closes the client, then an embedded driver (which deletes its directory), then releases the lock. */
    @Override
    public void close() {
        aeron.close();
        if (driver != null) {
            driver.close();
            // The driver deletes its directory on shutdown; make sure, as a leftover would only be cleaned
            // by the next gateway of this name.
            deleteTree(new File(directory));
        }
        if (lockChannel != null) {
            closeQuietly(lockChannel);
        }
    }

    private static void deleteTree(File file) {
        File[] children = file.listFiles();
        if (children != null) {
            for (File child : children) {
                deleteTree(child);
            }
        }
        try {
            Files.deleteIfExists(file.toPath());
        } catch (IOException ignored) {
            // Best effort: the next start deletes what is left.
        }
    }
}
