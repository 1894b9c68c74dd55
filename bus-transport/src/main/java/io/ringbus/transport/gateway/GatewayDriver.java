package io.ringbus.transport.gateway;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.ringbus.core.os.TimerSlack;
import io.ringbus.transport.codec.CodecFlags;
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
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
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
 * The Aeron client's conductor (keep-alives, new images) runs in the same cycle ({@code useConductorAgentInvoker}):
 * a publication added from another thread takes Aeron's own lock and waits for the driver's answer there, while
 * this thread runs the driver (the client is not given the driver's invoker, so no other thread ever runs it).
 *
 * <p><b>Idle.</b> {@link QuietBackoffIdleStrategy}: spin, yield, then park up to {@code maxParkNanos} while
 * messages move; after a second without any, park {@code quietParkNanos} each time.
 *
 * <p><b>Embedded.</b> Its directory is {@code <bus dir>/.aeron-<name>}, owned through the lock file
 * {@code <bus dir>/.aeron-<name>.lock} (an OS lock, released however the gateway dies). The owner deletes
 * whatever a crashed predecessor left in the directory before it starts the driver, and the directory on close.
 * A second gateway of the same name on the same bus is refused while the first lives.
 */
public final class GatewayDriver implements AutoCloseable {
    /** Term length of the embedded driver's publications unless told otherwise (its maximum message is 1/8). */
    public static final int DEFAULT_TERM_LENGTH = 4 << 20;
    /** The longest sleep of the gateway's thread between messages unless told otherwise: 1 ms. */
    public static final long DEFAULT_MAX_PARK_NANOS = 1_000_000;
    /**
     * The sleep of the gateway's thread once no message moved for {@link #QUIET_AFTER_NANOS}: 10 ms. What an idle
     * gateway costs is mostly these wake-ups and the driver's heartbeats they serve (measured 2026-12-07 on a
     * connected pair: 1.6-1.9% of a core for the gateway thread at 4 ms, 1.25-1.3% at 20 ms).
     */
    public static final long DEFAULT_QUIET_PARK_NANOS = 10_000_000;
    /** How long without a message before the gateway's thread sleeps {@code quietParkNanos}: 1 s. */
    public static final long QUIET_AFTER_NANOS = 1_000_000_000L;
    private static final long DRIVER_TIMEOUT_MS = 10_000;
    /** The gateway thread's timer slack (see {@link TimerSlack}): its short parks stay short. */
    static final long TIMER_SLACK_NANOS = 1_000;
    /** How long {@link #detach} waits for the gateway thread to let go of an agent. */
    static final long DETACH_TIMEOUT_NANOS = 30_000_000_000L;
    private static final FileAttribute<?> PRIVATE =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final MediaDriver driver;
    private final FileChannel lockChannel;
    private final String directory;
    private final DynamicCompositeAgent work;
    private final AgentRunner runner;
    private final QuietBackoffIdleStrategy idle;
    /** Each attached agent and the wrapper that runs it (which tells the idle strategy of moved messages). */
    private final Map<Agent, Agent> attached = new IdentityHashMap<>();
    private Aeron aeron;
    private Agent clientConductor;

    private GatewayDriver(MediaDriver driver, FileChannel lockChannel, String directory, long maxParkNanos,
        long quietParkNanos, Consumer<String> log) {
        this.driver = driver;
        this.lockChannel = lockChannel;
        this.directory = directory;
        idle = new QuietBackoffIdleStrategy(maxParkNanos, QUIET_AFTER_NANOS, quietParkNanos);
        work = driver == null ? new DynamicCompositeAgent("bus-gateway")
            : new DynamicCompositeAgent("bus-gateway", new Invoked("aeron-driver", driver.sharedAgentInvoker()));
        runner = new AgentRunner(idle, error -> log.accept("gateway thread: " + error), null, work);
        AgentRunner.startOnThread(runner, task -> new Thread(() -> {
            // The back-off's first parks are microseconds: with Linux's default 50 µs slack each took ~75 µs.
            TimerSlack.setForThisThread(TIMER_SLACK_NANOS);
            task.run();
        }));
    }

    /** Agents Aeron runs through an invoker (the embedded driver's, the client's conductor), as one agent. */
    private record Invoked(String roleName, AgentInvoker invoker) implements Agent {
        @Override
        public int doWork() {
            return invoker.invoke();
        }
    }

    /** An attached route: its work, when it moved messages, ends a quiet spell. */
    private record AttachedRoute(Agent route, QuietBackoffIdleStrategy idle) implements Agent {
        @Override
        public void onStart() {
            route.onStart();
        }

        @Override
        public int doWork() throws Exception {
            int moved = route.doWork();
            if (moved > 0) {
                idle.messagesMoved();
            }
            return moved;
        }

        @Override
        public void onClose() {
            route.onClose();
        }

        @Override
        public String roleName() {
            return route.roleName();
        }
    }

    /**
     * Fails unless this JVM has the one flag Aeron needs on JDK 25 (its Agrona reaches {@code jdk.internal.misc});
     * without it Aeron's first buffer fails with an {@code IllegalAccessError} that names no flag.
     *
     * @throws io.ringbus.transport.codec.MissingJvmFlagsException naming the flag
     */
    public static void requireJvmFlag() {
        CodecFlags.requireAgrona("Aeron (bus gateway)", "./bus gateway adds it; an application embedding the gateway"
            + " adds it to its own java command line");
    }

    /**
     * Starts an embedded driver under {@code busDirectory}, for the gateway called {@code name}, whose thread
     * sleeps {@link #DEFAULT_MAX_PARK_NANOS} at most while idle.
     *
     * @throws GatewayException when another gateway of that name runs on this bus, or the driver cannot start
     */
    public static GatewayDriver embedded(Path busDirectory, String name, int termLength, Consumer<String> log) {
        return embedded(busDirectory, name, termLength, DEFAULT_MAX_PARK_NANOS, DEFAULT_QUIET_PARK_NANOS, log);
    }

    /**
     * Starts an embedded driver whose gateway thread sleeps {@code maxParkNanos} at most between two passes over
     * its sockets, publications and routes while messages move, and {@code quietParkNanos} once none moved for
     * {@link #QUIET_AFTER_NANOS}: longer means less CPU while idle, and a longer wait for the first message after
     * a pause.
     *
     * @throws GatewayException when another gateway of that name runs on this bus, or the driver cannot start
     */
    public static GatewayDriver embedded(Path busDirectory, String name, int termLength, long maxParkNanos,
        long quietParkNanos, Consumer<String> log) {
        requireJvmFlag();
        Path directory = busDirectory.resolve(".aeron-" + name);
        Path lockFile = busDirectory.resolve(".aeron-" + name + ".lock");
        FileChannel lockChannel = lock(lockFile, name);
        MediaDriver driver = null;
        GatewayDriver gatewayDriver = null;
        try {
            MediaDriver.Context context = new MediaDriver.Context()
                .aeronDirectoryName(directory.toString())
                .threadingMode(ThreadingMode.INVOKER)
                // Its helper thread only resolves names, when a channel is added or re-resolved: four looks a
                // second are enough (at 20 a second it took 0.2% of a core while the gateway idled).
                .asyncExecutorIdleStrategy(new SleepingMillisIdleStrategy(250))
                // We hold the lock: whatever is there was left by a gateway that crashed.
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .warnIfDirectoryExists(false)
                .termBufferSparseFile(true)
                .publicationTermBufferLength(termLength)
                .errorHandler(error -> log.accept("aeron driver: " + error));
            driver = MediaDriver.launchEmbedded(context);
            // The thread runs the driver from now on: the client's connect waits for the driver's heartbeat.
            gatewayDriver = new GatewayDriver(driver, lockChannel, directory.toString(), maxParkNanos, quietParkNanos,
                log);
            gatewayDriver.connect(log);
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
     * Connects to a media driver the user runs in {@code aeronDirectory}; the gateway thread sleeps as
     * {@link #embedded(Path, String, int, long, long, Consumer)} says.
     *
     * @throws GatewayException when no live driver is there
     */
    public static GatewayDriver external(Path aeronDirectory, long maxParkNanos, long quietParkNanos,
        Consumer<String> log) {
        requireJvmFlag();
        if (!CommonContext.isDriverActive(aeronDirectory.toFile(), DRIVER_TIMEOUT_MS, message -> { })) {
            throw new GatewayException("no live Aeron media driver in " + aeronDirectory + ": start one there"
                + " (java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -Daeron.dir=" + aeronDirectory
                + " -cp ringbus.jar io.aeron.driver.MediaDriver), or leave out --aeron-dir to embed one");
        }
        GatewayDriver gatewayDriver = new GatewayDriver(null, null, aeronDirectory.toString(), maxParkNanos,
            quietParkNanos, log);
        try {
            gatewayDriver.connect(log);
            return gatewayDriver;
        } catch (RuntimeException e) {
            gatewayDriver.runner.close();
            throw e;
        }
    }

    /** Connects the client, whose conductor then runs on the gateway thread too. */
    private void connect(Consumer<String> log) {
        try {
            aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(directory)
                .driverTimeoutMs(DRIVER_TIMEOUT_MS)
                .useConductorAgentInvoker(true)
                .errorHandler(error -> log.accept("aeron client: " + error)));
        } catch (RuntimeException e) {
            throw new GatewayException("cannot connect to the Aeron media driver in " + directory + ": " + e
                + " (is it running, and run by this user?)", e);
        }
        clientConductor = new Invoked("aeron-client", aeron.conductorAgentInvoker());
        attachAgent(clientConductor);
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
     * hold up the driver) and returns how many messages it moved (a positive count ends a quiet spell: see
     * {@link QuietBackoffIdleStrategy}). Returns once the agent is in the cycle.
     *
     * @throws GatewayException when the gateway thread has stopped
     */
    public void attach(Agent agent) {
        Agent route = new AttachedRoute(agent, idle);
        synchronized (attached) {
            attached.put(agent, route);
        }
        attachAgent(route);
    }

    private void attachAgent(Agent agent) {
        while (work.status() == DynamicCompositeAgent.Status.INIT && !runner.isClosed()) {
            Thread.onSpinWait(); // the gateway thread is starting: the cycle takes agents once it runs
        }
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
     *
     * @throws GatewayException when the gateway thread did not let go of it within {@link #DETACH_TIMEOUT_NANOS}
     *     (a route that waits, which is a bug): the caller must then not close what the agent uses
     */
    public void detach(Agent agent) {
        Agent route;
        synchronized (attached) {
            route = attached.remove(agent);
        }
        if (route != null) {
            detachAgent(route);
        }
    }

    private void detachAgent(Agent agent) {
        long deadline = System.nanoTime() + DETACH_TIMEOUT_NANOS;
        while (!work.tryRemove(agent)) {
            if (!awaitDetach(agent, deadline)) {
                return;
            }
        }
        while (!work.hasRemoveAgentCompleted()) {
            if (!awaitDetach(agent, deadline)) {
                return;
            }
        }
    }

    /** Sleeps a moment; false when the gateway thread has stopped (nothing more to wait for). */
    private boolean awaitDetach(Agent agent, long deadline) {
        if (System.nanoTime() - deadline > 0) {
            throw new GatewayException("the gateway thread did not let go of " + agent.roleName() + " within "
                + DETACH_TIMEOUT_NANOS / 1_000_000_000L + " s: one of its routes does not return (a bug; a thread"
                + " dump shows where it waits)");
        }
        return awaitThreadOrGone();
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
        // The client's conductor closes on this thread, out of the cycle; its close asks the driver to release the
        // client's publications, and the gateway thread still runs the driver.
        detachAgent(clientConductor);
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
