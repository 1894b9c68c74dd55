package io.ringbus.transport.gateway;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.topic.TopicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A running gateway: one thread per exported topic ({@link Exporter}) and one per imported topic
 * ({@link Importer}), on one Aeron client. Start it with {@link #start}, watch {@link #failure()}, read
 * {@link #statusLines()} for the periodic log line, and {@link #close()} it (which stops every thread, then
 * releases the subscribers, publishers, publications and subscriptions; not the driver).
 */
public final class Gateway implements AutoCloseable {
    private static final long READY_TIMEOUT_SECONDS = 60;

    private final List<Thread> threads = new ArrayList<>();
    private final List<Status> statuses = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch exportersReady;
    private final GatewayDriver driver;
    private volatile boolean stopping;

    private Gateway(int exporters, GatewayDriver driver) {
        exportersReady = new CountDownLatch(exporters);
        this.driver = driver;
    }

    /** One route's counters and liveness, for the log line and the status file. */
    private static final class Status {
        private final String direction;
        private final Route route;
        private final RouteStats stats;
        private final BooleanSupplier connected;
        private final Supplier<String> remote;
        private long lastBytes;
        private long lastNanos = System.nanoTime();

        Status(String direction, Route route, RouteStats stats, BooleanSupplier connected, Supplier<String> remote) {
            this.direction = direction;
            this.route = route;
            this.stats = stats;
            this.connected = connected;
            this.remote = remote;
        }

        String line() {
            return direction + " " + route + ": " + stats.messages() + " messages, " + stats.bytes() + " bytes, "
                + stats.losses() + " losses (" + stats.lostBytes() + " bytes)"
                + (direction.equals("import") ? ", " + stats.repeats() + " repeats dropped" : "")
                + (stats.dropped() > 0 ? ", " + stats.dropped() + " malformed or oversized dropped" : "")
                + (connected.getAsBoolean() ? ", connected" : ", not connected");
        }

        /** The figures of the status file; the byte rate is since the last call. */
        GatewayStatus.RouteStatus status(AeronCounts counts) {
            long now = System.nanoTime();
            long bytes = stats.bytes();
            double rate = (bytes - lastBytes) * 1e9 / Math.max(1, now - lastNanos);
            lastBytes = bytes;
            lastNanos = now;
            boolean export = direction.equals("export");
            return new GatewayStatus.RouteStatus(direction, route.topic(), route.channel(), route.streamId(),
                connected.getAsBoolean(), remote.get(), stats.messages(), bytes, rate, stats.losses(),
                stats.lostBytes(), stats.repeats(), counts.naks(export, route.streamId()),
                export ? counts.retransmits() : 0, export ? 0 : counts.gapFills());
        }
    }

    /**
     * Starts the routes and returns once every exporter has subscribed (so that a message published after this
     * returns is exported).
     *
     * @param exportConfig a fresh base config for each exporter's subscriber (start position, policy); the
     *     gateway makes it durable and explicitly committed
     * @param log where one-line notes go: each route as it starts, connections, losses
     * @throws GatewayException when two routes collide, or a route cannot start
     */
    public static Gateway start(Bus bus, GatewayDriver driver, List<Route> exports, List<Route> imports,
        Supplier<SubscriberConfig> exportConfig, Consumer<String> log) throws InterruptedException {
        return start(bus, driver, exports, imports, exportConfig, GatewayDriver.DEFAULT_MAX_PARK_NANOS, log);
    }

    /**
     * As {@link #start(Bus, GatewayDriver, List, List, Supplier, Consumer)}, with importers that sleep
     * {@code maxParkNanos} at most between two polls of an idle subscription.
     */
    public static Gateway start(Bus bus, GatewayDriver driver, List<Route> exports, List<Route> imports,
        Supplier<SubscriberConfig> exportConfig, long maxParkNanos, Consumer<String> log)
        throws InterruptedException {
        checkDistinct(exports, "exported");
        checkDistinct(imports, "imported");
        Set<String> importedTopics = new HashSet<>();
        for (Route route : imports) {
            if (!importedTopics.add(route.topic())) {
                throw new GatewayException("topic '" + route.topic() + "' is imported twice: two streams would"
                    + " interleave in it; import each topic from one channel");
            }
        }
        Gateway gateway = new Gateway(exports.size(), driver);
        try {
            for (Route route : exports) {
                gateway.startExporter(bus, driver, route, exportConfig.get(), log);
            }
            for (Route route : imports) {
                gateway.startImporter(bus, driver, route, maxParkNanos, log);
            }
            while (!gateway.exportersReady.await(100, TimeUnit.MILLISECONDS)) {
                gateway.rethrowFailure();
                if (!gateway.threads.stream().allMatch(Thread::isAlive)) {
                    break;
                }
            }
            gateway.rethrowFailure();
        } catch (RuntimeException | InterruptedException e) {
            gateway.close();
            throw e;
        }
        return gateway;
    }

    private static void checkDistinct(List<Route> routes, String what) {
        Set<String> seen = new HashSet<>();
        for (Route route : routes) {
            if (!seen.add(route.channel() + "|" + route.streamId())) {
                throw new GatewayException("two " + what + " topics share " + route.channel() + " stream "
                    + route.streamId() + " (" + route.topic() + " is one): give one of them another stream id"
                    + " (--stream TOPIC=ID) or another channel");
            }
        }
    }

    private void startExporter(Bus bus, GatewayDriver driver, Route route, SubscriberConfig config,
        Consumer<String> log) {
        ExclusivePublication publication = driver.aeron().addExclusivePublication(route.channel(), route.streamId());
        resources.add(publication);
        RouteStats stats = new RouteStats();
        Path topicFile = TopicFile.pathOf(bus.context().directory(), route.topic());
        Exporter exporter = new Exporter(route, publication, () -> inode(topicFile), stats,
            (from, to, missed) -> log.accept("LOSS export " + route + ": evicted at position " + from
                + ", resumed at " + to + ", " + missed + " bytes missed"));
        statuses.add(new Status("export", route, stats, exporter::connected, () -> "-"));
        start("bus-gateway-export-" + route.topic(), () -> exporter.run(listener -> {
            var subscriber = bus.newSubscriber(route.topic(), new TopicConfig(),
                Exporter.configure(config, route, listener));
            log.accept("export " + route + " as durable subscriber '" + route.durableName() + "' from position "
                + subscriber.position());
            exportersReady.countDown();
            return subscriber;
        }, this::stopRequested));
    }

    private void startImporter(Bus bus, GatewayDriver driver, Route route, long maxParkNanos,
        Consumer<String> log) {
        Publisher publisher = bus.newPublisher(route.topic());
        resources.add(publisher);
        Subscription subscription = driver.aeron().addSubscription(route.channel(), route.streamId(),
            image -> log.accept("import " + route + ": connected to " + image.sourceIdentity()),
            image -> log.accept("import " + route + ": " + image.sourceIdentity() + " went away"));
        resources.add(subscription);
        ImportPosition position = ImportPosition.open(bus.context().directory(), route);
        resources.add(position);
        RouteStats stats = new RouteStats();
        Importer importer = new Importer(route, subscription, publisher, stats,
            (from, to, missed) -> log.accept("LOSS import " + route + ": source positions " + from + " to " + to
                + " never arrived, " + missed + " bytes"), log, position, maxParkNanos);
        statuses.add(new Status("import", route, stats, importer::connected,
            () -> subscription.imageCount() == 0 ? "-" : subscription.images().getFirst().sourceIdentity()));
        log.accept("import " + route + (importer.lastPosition() < 0 ? ""
            : " from source position " + importer.lastPosition() + " (where the last importer stopped)"));
        start("bus-gateway-import-" + route.topic(), () -> importer.run(this::stopRequested));
    }

    private void start(String name, Runnable body) {
        threads.add(Thread.ofPlatform().name(name).start(() -> {
            try {
                body.run();
            } catch (RuntimeException | InternalError e) {
                failure.compareAndSet(null, e);
            }
        }));
    }

    private boolean stopRequested() {
        return stopping || failure.get() != null;
    }

    private static long inode(Path file) {
        try {
            return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 0; // no inode to tell a re-created topic by: repeats are still told by position
        }
    }

    private void rethrowFailure() {
        Throwable first = failure.get();
        if (first instanceof RuntimeException runtime) {
            throw runtime;
        } else if (first instanceof Error error) {
            throw error;
        }
    }

    /** The first failure of any route, or null. */
    public Throwable failure() {
        return failure.get();
    }

    /** One line per route: messages, bytes, losses, whether the other side is connected. */
    public List<String> statusLines() {
        return statuses.stream().map(Status::line).toList();
    }

    /**
     * Every route's figures for the status file ({@link GatewayStatus}), with the media driver's counters; the
     * byte rates are since the last call. Call from one thread.
     */
    public List<GatewayStatus.RouteStatus> routeStatus() {
        AeronCounts counts = AeronCounts.read(driver.aeron().countersReader());
        return statuses.stream().map(status -> status.status(counts)).toList();
    }

    /** Stops every route and releases what the gateway opened (the driver stays open). Idempotent. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        for (Thread thread : threads) {
            thread.join();
        }
        threads.clear();
        for (AutoCloseable resource : resources.reversed()) {
            try {
                resource.close();
            } catch (Exception ignored) {
                // Closing what is already failing: the first error is the one reported.
            }
        }
        resources.clear();
    }
}
