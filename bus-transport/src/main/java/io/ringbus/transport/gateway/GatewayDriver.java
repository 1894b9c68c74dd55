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
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.DynamicCompositeAgent;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

/**
 * The media driver a gateway talks to, its Aeron client, and the one thread that does all of the gateway's
 * work: an embedded driver of its own (the default), or an external one the user started, named by its directory.
 *
 * <p><b>One thread.</b> An embedded driver runs in {@link ThreadingMode#INVOKER} mode: its conductor, sender and
 * receiver do their work on the gateway's own thread, {@code bus-gateway}, in the same duty cycle as every route
 * {@link #attach attached} to it (exporters poll their rings, importers their subscriptions), with one
 * backing-off idle strategy for the whole cycle. A message then crosses one thread on each host (ring, gateway
 * thread, UDP, gateway thread, ring), as many as raw Aeron's path (publication, driver thread, UDP, driver
 * thread, subscription); with a driver thread beside exporter and importer threads it crossed two, and on a
 * machine of few cores each extra thread is a wake-up on the path and a sleeper that costs CPU while idle.
 * Routes must therefore never wait inside their work: a route that waits holds up the driver of every route.
 * The Aeron client keeps its own conductor thread (keep-alives, new images; Aeron's default 16 ms sleep), so
 * that adding a publication from another thread never runs the driver there.
 *
 * <p><b>Embedded.</b> Its directory is {@code <bus dir>/.aeron-<name>}, owned through the lock file
 * {@code <bus dir>/.aeron-<name>.lock} (an OS lock, released however the gateway dies). The owner deletes
 * whatever a crashed predecessor left in the directory before it starts the driver, and the directory on close.
 * A second gateway of the same name on the same bus is refused while the first lives.
 */
public final class GatewayDriver implements AutoCloseable {
    /** Term length of the embedded driver's publications unless told otherwise (its maximum message is 1/8). */
    public static final int DEFAULT_TERM_LENGTH = 4 << 20;
    /** The longest sleep of an idle gateway's thread unless told otherwise: 1 ms. */
    public static final long DEFAULT_MAX_PARK_NANOS = 1_000_000;
    private static final long DRIVER_TIMEOUT_MS = 10_000;
    private static final FileAttribute<?> PRIVATE =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final MediaDriver driver;
    private final FileChannel lockChannel;
    private final String directory;
    private final DynamicCompositeAgent work;
    private final AgentRunner runner;
    private Aeron aeron;

    private GatewayDriver(MediaDriver driver, FileChannel lockChannel, String directory, long maxParkNanos,
        Consumer<String> log) {
        this.driver = driver;
        this.lockChannel = lockChannel;
        this.directory = directory;
        work = driver == null ? new DynamicCompositeAgent("bus-gateway")
            : new DynamicCompositeAgent("bus-gateway", new InvokedDriver(driver.sharedAgentInvoker()));
        runner = new AgentRunner(new BackoffIdleStrategy(10, 20, 1_000, maxParkNanos),
            error -> log.accept("gateway thread: " + error), null, work);
        AgentRunner.startOnThread(runner);
    }

    /** The embedded driver's agents, invoked as one more agent of the gateway's duty cycle. */
    private record InvokedDriver(AgentInvoker invoker) implements Agent {
        @Override
        public int doWork() {
            return invoker.invoke();
        }

        @Override
        public String roleName() {
            return "aeron-driver";
        }
    }

    /**
     * Starts an embedded driver under {@code busDirectory}, for the gateway called {@code name}, whose thread
     * sleeps {@link #DEFAULT_MAX_PARK_NANOS} at most while idle.
     *
     * @throws GatewayException when another gateway of that name runs on this bus, or the driver cannot start
     */
    public static GatewayDriver embedded(Path busDirectory, String name, int termLength, Consumer<String> log) {
        return embedded(busDirectory, name, termLength, DEFAULT_MAX_PARK_NANOS, log);
    }

    /**
     * Starts an embedded driver whose gateway thread sleeps {@code maxParkNanos} at most between two passes over
     * its sockets, publications and routes while idle: longer means less CPU while idle, and a longer wait for
     * the first message after a quiet spell.
     *
     * @throws GatewayException when another gateway of that name runs on this bus, or the driver cannot start
     */
    public static GatewayDriver embedded(Path busDirectory, String name, int termLength, long maxParkNanos,
        Consumer<String> log) {
        Path directory = busDirectory.resolve(".aeron-" + name);
        Path lockFile = busDirectory.resolve(".aeron-" + name + ".lock");
        FileChannel lockChannel = lock(lockFile, name);
        MediaDriver driver = null;
        GatewayDriver gatewayDriver = null;
        try {
            MediaDriver.Context context = new MediaDriver.Context()
                .aeronDirectoryName(directory.toString())
                .threadingMode(ThreadingMode.INVOKER)
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
            // The thread runs the driver from now on: the client's connect waits for the driver's heartbeat.
            gatewayDriver = new GatewayDriver(driver, lockChannel, directory.toString(), maxParkNanos, log);
            gatewayDriver.aeron = connect(directory.toString(), log);
            return gatewayDriver;
        } catch (RuntimeException e) {
            if (gatewayDriver != null) {
                gatewayDriver.runner.close();
            }
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
     * Connects to a media driver the user runs in {@code aeronDirectory}; the gateway thread sleeps
     * {@code maxParkNanos} at most while idle.
     *
     * @throws GatewayException when no live driver is there
     */
    public static GatewayDriver external(Path aeronDirectory, long maxParkNanos, Consumer<String> log) {
        if (!CommonContext.isDriverActive(aeronDirectory.toFile(), DRIVER_TIMEOUT_MS, message -> { })) {
            throw new GatewayException("no live Aeron media driver in " + aeronDirectory + ": start one there"
                + " (java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -Daeron.dir=" + aeronDirectory
                + " -cp ringbus.jar io.aeron.driver.MediaDriver), or leave out --aeron-dir to embed one");
        }
        Aeron client = connect(aeronDirectory.toString(), log);
        try {
            GatewayDriver gatewayDriver = new GatewayDriver(null, null, aeronDirectory.toString(), maxParkNanos, log);
            gatewayDriver.aeron = client;
            return gatewayDriver;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
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

    /**
     * Runs {@code agent} on the gateway thread from now on, in the same duty cycle as the driver: its
     * {@link Agent#onStart} and every {@link Agent#doWork} run there, and {@code doWork} must never wait (it would
     * hold up the driver). Returns once the agent is in the cycle.
     *
     * @throws GatewayException when the gateway thread has stopped
     */
    public void attach(Agent agent) {
        while (!work.tryAdd(agent)) {
            awaitThread("attach a route");
        }
        while (!work.hasAddAgentCompleted()) {
            awaitThread("attach a route");
        }
    }

    /**
     * Takes {@code agent} out of the duty cycle; returns once its last {@code doWork} has returned and its
     * {@link Agent#onClose} has run (on the gateway thread), so the caller may then close what it used.
     */
    public void detach(Agent agent) {
        while (!work.tryRemove(agent)) {
            if (!awaitThreadOrGone()) {
                return;
            }
        }
        while (!work.hasRemoveAgentCompleted()) {
            if (!awaitThreadOrGone()) {
                return;
            }
        }
    }

    private void awaitThread(String what) {
        if (!awaitThreadOrGone()) {
            throw new GatewayException("cannot " + what + ": the gateway thread has stopped (see the log for why)");
        }
    }

    /** Sleeps a moment; false when the gateway thread is not running (closed, or ended by an error). */
    private boolean awaitThreadOrGone() {
        if (runner.isClosed() || work.status() != DynamicCompositeAgent.Status.ACTIVE) {
            return false;
        }
        LockSupport.parkNanos(100_000);
        return true;
    }

    /**
     * Closes the client, then stops the gateway thread (with any agent still attached), then closes an embedded
     * driver (which deletes its directory), then releases the lock.
     */
    @Override
    public void close() {
        // The client's close asks the driver to release its publications: the thread still runs the driver.
        aeron.close();
        runner.close();
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
