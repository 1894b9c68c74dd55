package io.ringbus.transport.gateway;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.SlowConsumerPolicy;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.status.CountersReader;

/**
 * A running gateway: an {@link Exporter} per exported topic and an {@link Importer} per imported topic, on one
 * Aeron client, all of them worked by the gateway thread of the {@link GatewayDriver} in its duty cycle. Start
 * it with {@link #start}, watch {@link #failure()}, read {@link #statusLines()} for the periodic log line, and
 * {@link #close()} it (which takes the routes out of the duty cycle, then releases the subscribers, publishers,
 * publications and subscriptions; not the driver).
 */
public final class Gateway implements AutoCloseable {
    private final List<Exporter> exporters = new ArrayList<>();
    private final List<Importer> importers = new ArrayList<>();
    private final List<Status> statuses = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final GatewayDriver driver;
    private final Routes routes = new Routes();
    private boolean attached;

    private Gateway(GatewayDriver driver) {
        this.driver = driver;
    }

    /**
     * Every route of this gateway as one agent of the gateway thread. The first failure of any route stops them
     * all (the gateway is then to be closed): a half-working gateway would hide it.
     *
     * <p><b>Hand-off to the local reader.</b> When the importers publish into their rings after a pause of more
     * than {@code HAND_OFF_AFTER_NANOS} in imports (as before each message of a round trip), the thread yields
     * its core once. With fewer cores than busy threads, the subscriber that message is for often
     * waits for this very core; without the yield it got it only once the back-off's spins (each a whole duty
     * cycle over the driver's sockets) were done. Stamped per hop on the 2-vCPU bench (2026-12-07), the ring hop
     * from the importer's commit to the subscriber's poll took about 7.5 µs before, 0.8 µs after. While messages
     * stream in (imports closer together than that) it does not yield: a yield after every pass that followed an
     * empty one cost throughput in alternated runs (median 0.81x to 0.70x of raw Aeron). Nor does it yield after
     * a pass that published more than one message ({@link HandOff}): a stream at a moderate rate (under about
     * 1.6 M msg/s of 64 bytes) arrives in full datagrams more than 10 µs apart, and a yield after each of them
     * made the two gateways' threads spend 1.6-2.0x the CPU per message of the same stream without it (bench,
     * 2026-12-07 evening, see GATEWAY.md).
     */
    private final class Routes implements Agent {
        /** A pause in imports longer than this ends with a yield, if the pass published at most one message. */
        private static final long HAND_OFF_AFTER_NANOS = 10_000;
        private static final long HAND_OFF_MAX_MESSAGES = 1;
        private Exporter[] exporting = new Exporter[0];
        private Importer[] importing = new Importer[0];
        private HandOff handOff;

        @Override
        public void onStart() {
            exporting = exporters.toArray(Exporter[]::new);
            importing = importers.toArray(Importer[]::new);
            handOff = new HandOff(HAND_OFF_AFTER_NANOS, HAND_OFF_MAX_MESSAGES, System.nanoTime(), published());
        }

        private long published() {
            long published = 0;
            for (Importer importer : importing) {
                published += importer.published();
            }
            return published;
        }

        @Override
        public int doWork() {
            if (failure.get() != null) {
                return 0;
            }
            int work = 0;
            try {
                for (Exporter exporter : exporting) {
                    work += exporter.doWork();
                }
                int imported = 0;
                for (Importer importer : importing) {
                    imported += importer.doWork();
                }
                work += imported;
                if (imported > 0 && handOff.imported(System.nanoTime(), published())) {
                    Thread.yield(); // see "Hand-off to the local reader" above
                }
            } catch (RuntimeException | InternalError e) {
                failure.compareAndSet(null, e);
            }
            return work;
        }

        @Override
        public String roleName() {
            return "bus-gateway-routes";
        }
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
     * returns is exported) and every route is in the gateway thread's duty cycle.
     *
     * @param exportConfig a fresh base config for each exporter's subscriber (start position, policy); the
     *     gateway makes it durable, explicitly committed and polled
     * @param log where one-line notes go: each route as it starts, connections, losses
     * @throws GatewayException when two routes collide, or a route cannot start
     */
    public static Gateway start(Bus bus, GatewayDriver driver, List<Route> exports, List<Route> imports,
        Supplier<SubscriberConfig> exportConfig, Consumer<String> log) {
        checkDistinct(exports, "exported");
        checkDistinct(imports, "imported");
        Set<String> importedTopics = new HashSet<>();
        for (Route route : imports) {
            if (!importedTopics.add(route.topic())) {
                throw new GatewayException("topic '" + route.topic() + "' is imported twice: two streams would"
                    + " interleave in it; import each topic from one channel");
            }
        }
        Gateway gateway = new Gateway(driver);
        try {
            for (Route route : exports) {
                gateway.addExporter(bus, driver, route, exportConfig.get(), log);
            }
            for (Route route : imports) {
                gateway.addImporter(bus, driver, route, log);
            }
            driver.attach(gateway.routes);
            gateway.attached = true;
        } catch (RuntimeException e) {
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

    private void addExporter(Bus bus, GatewayDriver driver, Route route, SubscriberConfig config,
        Consumer<String> log) {
        ExclusivePublication publication = driver.aeron().addExclusivePublication(route.channel(), route.streamId());
        resources.add(publication);
        RouteStats stats = new RouteStats();
        Path topicFile = TopicFile.pathOf(bus.context().directory(), route.topic());
        CountersReader counters = driver.aeron().countersReader();
        int senderPosition = AeronCounts.senderPositionId(counters, publication.registrationId());
        LongSupplier unsent = senderPosition == CountersReader.NULL_COUNTER_ID ? () -> 0
            : () -> publication.position() - counters.getCounterValue(senderPosition);
        Exporter exporter = new Exporter(route, publication, () -> inode(topicFile), unsent, stats,
            (from, to, missed) -> log.accept("LOSS export " + route + ": evicted at position " + from
                + ", resumed at " + to + ", " + missed + " bytes missed"));
        exporters.add(exporter);
        exporter.open(listener -> bus.newSubscriber(route.topic(), new TopicConfig(),
            Exporter.configure(config, route, listener)), config.slowConsumerPolicy() == SlowConsumerPolicy.EVICT);
        log.accept("export " + route + " as durable subscriber '" + route.durableName() + "' from position "
            + exporter.startPosition());
        statuses.add(new Status("export", route, stats, exporter::connected, () -> "-"));
    }

    private void addImporter(Bus bus, GatewayDriver driver, Route route, Consumer<String> log) {
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
                + " never arrived, " + missed + " bytes"), log, position);
        importers.add(importer);
        statuses.add(new Status("import", route, stats, importer::connected,
            () -> subscription.imageCount() == 0 ? "-" : subscription.images().getFirst().sourceIdentity()));
        log.accept("import " + route + (importer.lastPosition() < 0 ? ""
            : " from source position " + importer.lastPosition() + " (where the last importer stopped)"));
    }

    private static long inode(Path file) {
        try {
            return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 0; // no inode to tell a re-created topic by: repeats are still told by position
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

    /**
     * Takes the routes out of the gateway thread's duty cycle (a message an exporter kept aside is not committed:
     * a successor sends it again), then releases what the gateway opened (the driver stays open). Idempotent.
     *
     * @throws GatewayException when the gateway thread does not let go of the routes (see
     *     {@link GatewayDriver#detach}): then nothing is released
     */
    @Override
    public void close() {
        if (attached) {
            driver.detach(routes); // throws, leaving everything open, when the thread does not let go of it
            attached = false;
        }
        for (Exporter exporter : exporters) {
            exporter.close();
        }
        exporters.clear();
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
