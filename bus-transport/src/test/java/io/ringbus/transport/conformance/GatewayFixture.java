package io.ringbus.transport.conformance;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.SlowConsumerPolicy;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.BusClients;
import io.ringbus.transport.ConnectionListener;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.gateway.Gateway;
import io.ringbus.transport.gateway.GatewayDriver;
import io.ringbus.transport.gateway.Route;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gateway path: a client's publishers write bus A ({@link #busDirectory()}), its subscribers read bus B,
 * and two gateways of the library join them over loopback UDP, in this JVM (each on an embedded media driver of
 * its own), as {@code bus gateway --export} on host A and {@code --import} on host B would. A topic's route is
 * made when a client first names it: the topic is created on both buses with the case's shape, then exported
 * from A and imported into B. The exporter starts from the earliest message and is the gateway's default,
 * tethered ({@code aeron-gateway}: back-pressure from B reaches A's publishers through Aeron's flow control), or
 * untethered ({@code aeron-gateway-evictable}: as {@code --evictable} with its default {@code --evict-after 5000},
 * evicted once it has held A's publishers back that long; the importer then announces the loss).
 * {@link #busContext()}, the bus a case's own shared-memory observer opens, is B: the topic as the path's
 * subscribers see it (an observer on A would see messages before they crossed, and Aeron's window holds several
 * rings of a small topic).
 *
 * <p>Cases that cannot hold across two buses say why ({@link #cannotHold}); the rest run unchanged. Aeron needs
 * its one JVM flag here, so the class that runs this fixture is in the {@code aeron} group.
 */
final class GatewayFixture extends PathFixture {
    /** Why a case cannot hold over the gateway, by case (method) name. */
    private static final Map<String, String> CANNOT_HOLD = Map.of();
    /** Why a case cannot hold over an untethered gateway, beyond {@link #CANNOT_HOLD}. */
    private static final Map<String, String> UNTETHERED_CANNOT_HOLD = Map.of(
        "slowTetheredSubscriberLosesNothing", "an evictable exporter stands between the publishers and the slow"
            + " subscriber on bus B: once that subscriber has held them back for --evict-after, the exporter is"
            + " evicted and the subscriber loses messages (announced by the importer), so 'a tethered subscriber"
            + " loses nothing' is not the untethered path's to keep, however short the case's slowness is");

    /** Evicted after holding publishers back this long, when untethered: bus gateway's default. */
    private static final Duration EVICT_AFTER = Duration.ofMillis(5_000);

    private final boolean untethered;
    private final List<Gateway> gateways = new ArrayList<>();
    private final Set<String> routed = new HashSet<>();
    private Path busB;
    private Bus busA;
    private Bus importBus;
    private GatewayDriver driverA;
    private GatewayDriver driverB;
    private String channel;

    private GatewayFixture(boolean untethered) {
        this.untethered = untethered;
    }

    /** The gateway as {@code bus gateway} runs it by default: tethered. */
    static GatewayFixture tethered() {
        return new GatewayFixture(false);
    }

    /** The gateway with {@code --evictable}: a slow far side costs messages (announced), never the publishers. */
    static GatewayFixture untethered() {
        return new GatewayFixture(true);
    }

    @Override
    String name() {
        return untethered ? "aeron-gateway-evictable" : "aeron-gateway";
    }

    @Override
    boolean isStream() {
        return false;
    }

    /** Bus B, where the path's subscribers are. */
    @Override
    BusContext busContext() {
        return new BusContext().directory(busB);
    }

    @Override
    String cannotHold(String testCase) {
        return untethered && UNTETHERED_CANNOT_HOLD.containsKey(testCase) ? UNTETHERED_CANNOT_HOLD.get(testCase)
            : CANNOT_HOLD.get(testCase);
    }

    @Override
    void setUp(Path directory) {
        super.setUp(directory);
        busB = directory.resolve("bus-b");
        try {
            Files.createDirectory(busB, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        channel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
        busA = Bus.open(new BusContext().directory(busDirectory()));
        importBus = Bus.open(new BusContext().directory(busB));
        driverA = GatewayDriver.embedded(busDirectory(), "a", GatewayDriver.DEFAULT_TERM_LENGTH, line -> { });
        driverB = GatewayDriver.embedded(busB, "b", GatewayDriver.DEFAULT_TERM_LENGTH, line -> { });
    }

    @Override
    protected BusClient openClient(ConnectionListener listener) {
        BusClient a = BusClients.open(transportContext("shm:", listener)
            .busContext(new BusContext().directory(busDirectory())));
        BusClient b = BusClients.open(transportContext("shm:", listener));
        return new BusClient() {
            @Override
            public Publisher newPublisher(String topic, TopicConfig config) {
                route(topic, config);
                return a.newPublisher(topic, config);
            }

            @Override
            public Subscriber newSubscriber(String topic, TopicConfig topicConfig, SubscriberConfig config) {
                route(topic, topicConfig);
                return b.newSubscriber(topic, topicConfig, config);
            }

            @Override
            public TransportUri uri() {
                return a.uri();
            }

            @Override
            public void close() {
                a.close();
                b.close();
            }
        };
    }

    /** Creates {@code topic} on both buses in the case's shape, then exports it from A and imports it into B. */
    private synchronized void route(String topic, TopicConfig shape) {
        if (!routed.add(topic)) {
            return;
        }
        busA.newPublisher(topic, shape).close();
        importBus.newPublisher(topic, shape).close();
        Route route = Route.of(topic, channel);
        gateways.add(Gateway.start(importBus, driverB, List.of(), List.of(route), SubscriberConfig::new,
            line -> { }));
        gateways.add(Gateway.start(busA, driverA, List.of(route), List.of(),
            () -> {
                SubscriberConfig config = new SubscriberConfig().start(StartPosition.EARLIEST);
                return untethered ? config.slowConsumerPolicy(SlowConsumerPolicy.EVICT).evictAfter(EVICT_AFTER)
                    : config;
            }, line -> { }));
    }

    @Override
    public void close() {
        super.close();
        for (Gateway gateway : gateways.reversed()) {
            gateway.close();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {driverA, driverB, busA, importBus}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception ignored) {
                // Tearing down: the case's result stands.
            }
        }
    }

    private static int freeUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
