package io.ringbus.examples.bench.gateway;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.examples.bench.child.ChildRole;
import io.ringbus.examples.bench.child.ChildRunner;
import io.ringbus.examples.bench.child.SpinGuard;
import io.ringbus.core.StartPosition;
import io.ringbus.transport.gateway.Gateway;
import io.ringbus.transport.gateway.GatewayDriver;
import io.ringbus.transport.gateway.Route;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The child JVMs of {@code bus bench gateway}: an endpoint at each end of a link, the same commands whether the
 * link is raw Aeron ({@value #AERON_END}: an embedded driver configured as the gateway's, an exclusive
 * publication to the far end, a subscription on its own endpoint) or the gateway path ({@value #BUS_END}: topics
 * of a local bus that two gateways carry across).
 *
 * <pre>
 *   raw:      aeron-end A ──udp──▶ aeron-end B          (echo stream, throughput stream)
 *             aeron-end A ◀──udp── aeron-end B          (echo stream)
 *   gateway:  bus-end A ─ring─▶ gateway A ──udp──▶ gateway B ─ring─▶ bus-end B    (ping, tput)
 *             bus-end A ◀ring─ gateway A ◀──udp── gateway B ◀ring─ bus-end B      (pong)
 * </pre>
 *
 * <p>Commands: {@code PING warmup timed budgetMillis} (one message in flight, timed from send to echo; replies
 * {@code RESULT p50= p99= p999= count=}), {@code ECHO} (sends every message back, whole, until the STOP message),
 * {@code SINK n} (replies {@code ARMED}, then counts n messages and replies {@code RESULT nanos=}: first to
 * last), {@code SEND n} (n messages as fast as the link takes them; replies {@code DONE}). Each message is
 * {@code size} bytes, its number in the first 8.
 *
 * <p>The two gateways are children too ({@value #GATEWAY}: the same {@link Gateway} and {@link GatewayDriver}
 * that {@code bus gateway} runs, tethered exporters), answering {@code IDLE millis} with the CPU time their
 * process used over that long while nothing is sent.
 */
public final class GatewayBenchRoles {
    static final String AERON_END = "aeron-end";
    static final String BUS_END = "bus-end";
    static final String GATEWAY = "gateway";
    /** The Aeron streams of the raw link. */
    static final int ECHO_STREAM = 1001;
    static final int THROUGHPUT_STREAM = 1002;
    /** The topics of the gateway link. */
    static final String PING_TOPIC = "bench-ping";
    static final String PONG_TOPIC = "bench-pong";
    static final String THROUGHPUT_TOPIC = "bench-tput";
    private static final long STOP = -1;
    /** Empty polls before a waiting end yields its core: both ends wait alike on both paths. */
    private static final int SPINS_BEFORE_YIELD = 100;
    private static final long HIGHEST_NANOS = 60_000_000_000L;

    private GatewayBenchRoles() {
    }

    /** Entry point: {@code <aeron-end|bus-end> <timeoutMillis> args...}. */
    public static void main(String[] args) {
        ChildRunner.run(args, (role, roleArgs, guard) -> switch (role) {
            case AERON_END -> new Endpoint(new AeronLink(roleArgs), Integer.parseInt(roleArgs[4]), guard);
            case BUS_END -> new Endpoint(new BusLink(roleArgs), Integer.parseInt(roleArgs[4]), guard);
            case GATEWAY -> new GatewayHost(roleArgs);
            default -> throw new IllegalArgumentException("unknown role '" + role + "'");
        });
    }

    /** What an endpoint needs of its link; one thread uses it. */
    interface Link extends AutoCloseable {
        /** Offers message {@code n} of {@code size} bytes on the echo (ping) path; false when not taken now. */
        boolean sendEcho(long n, int size);

        /** Offers message {@code n} on the throughput path; false when not taken now. */
        boolean sendThroughput(long n, int size);

        /** Polls the echo path; returns the number of the message received, or {@link Long#MIN_VALUE}. */
        long pollEcho(boolean echoBack);

        /** Polls the throughput path; returns how many messages it took. */
        int pollThroughput();

        @Override
        void close();
    }

    /** Runs the commands over its link. */
    static final class Endpoint implements ChildRole {
        private final Link link;
        private final int size;
        private final SpinGuard guard;
        private final Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
        private long sequence;
        private int spins;

        Endpoint(Link link, int size, SpinGuard guard) {
            this.link = link;
            this.size = size;
            this.guard = guard;
        }

        @Override
        public void execute(String[] command) {
            switch (command[0]) {
                case "PING" -> ping(ChildRunner.longArg(command, 1), ChildRunner.longArg(command, 2),
                    ChildRunner.longArg(command, 3) * 1_000_000L);
                case "ECHO" -> echo();
                case "SINK" -> sink(ChildRunner.longArg(command, 1));
                case "SEND" -> send(ChildRunner.longArg(command, 1));
                default -> throw new IllegalArgumentException("unknown command " + command[0]);
            }
        }

        private void ping(long warmup, long timed, long budgetNanos) {
            histogram.reset();
            long begin = System.nanoTime();
            for (long i = 0; i < warmup + timed; i++) {
                if (i >= warmup + 100 && (i & 15) == 0 && System.nanoTime() - begin > budgetNanos) {
                    break;
                }
                long n = ++sequence;
                long start = System.nanoTime();
                while (!link.sendEcho(n, size)) {
                    idle();
                }
                long received;
                while ((received = link.pollEcho(false)) != n) {
                    if (received != Long.MIN_VALUE) {
                        throw new IllegalStateException("echo of " + received + " while waiting for " + n);
                    }
                    idle();
                }
                if (i >= warmup) {
                    histogram.recordValue(Math.min(System.nanoTime() - start, HIGHEST_NANOS));
                }
            }
            while (!link.sendEcho(STOP, size)) {
                idle();
            }
            ChildRunner.reply("RESULT p50=" + histogram.getValueAtPercentile(50) + " p99="
                + histogram.getValueAtPercentile(99) + " p999=" + histogram.getValueAtPercentile(99.9) + " count="
                + histogram.getTotalCount());
        }

        private void echo() {
            while (link.pollEcho(true) != STOP) {
                idle();
            }
            ChildRunner.reply("DONE");
        }

        private void sink(long messages) {
            ChildRunner.reply("ARMED");
            long received = 0;
            long first = 0;
            while (received < messages) {
                int taken = link.pollThroughput();
                if (taken == 0) {
                    idle();
                    continue;
                }
                if (received == 0) {
                    first = System.nanoTime();
                }
                received += taken;
            }
            ChildRunner.reply("RESULT nanos=" + (System.nanoTime() - first) + " messages=" + received);
        }

        private void send(long messages) {
            for (long n = 0; n < messages; n++) {
                while (!link.sendThroughput(n, size)) {
                    idle();
                }
            }
            ChildRunner.reply("DONE");
        }

        /** Spins a little, then yields: on a machine of two cores, a waiting end must leave room to the path. */
        private void idle() {
            guard.spin();
            if (++spins % SPINS_BEFORE_YIELD == 0) {
                Thread.yield();
            }
        }

        @Override
        public void close() {
            link.close();
        }
    }

    /**
     * Raw Aeron: args {@code <driverParent> <driverName> <sendChannel> <receiveChannel> <size>}. Its embedded
     * driver runs as Aeron's samples run one, on a thread of its own ({@link ThreadingMode#SHARED}: conductor,
     * sender and receiver), with the gateway's idle strategy (spin, yield, then park up to 1 ms) and term length.
     */
    static final class AeronLink implements Link, FragmentHandler {
        private final MediaDriver driver;
        private final Aeron aeron;
        private final ExclusivePublication echoOut;
        private final ExclusivePublication throughputOut;
        private final Subscription echoIn;
        private final Subscription throughputIn;
        private final UnsafeBuffer message = new UnsafeBuffer(new byte[1 << 16]);
        private final FragmentHandler counter = (buffer, offset, length, header) -> { };
        private boolean echoBack;
        private long received;

        AeronLink(String[] args) {
            String directory = Path.of(args[0]).resolve(".aeron-" + args[1]).toString();
            driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .aeronDirectoryName(directory)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, GatewayDriver.DEFAULT_MAX_PARK_NANOS))
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .termBufferSparseFile(true)
                .publicationTermBufferLength(GatewayDriver.DEFAULT_TERM_LENGTH)
                .errorHandler(error -> System.err.println("aeron driver: " + error)));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory));
            echoOut = aeron.addExclusivePublication(args[2], ECHO_STREAM);
            throughputOut = aeron.addExclusivePublication(args[2], THROUGHPUT_STREAM);
            echoIn = aeron.addSubscription(args[3], ECHO_STREAM);
            throughputIn = aeron.addSubscription(args[3], THROUGHPUT_STREAM);
        }

        @Override
        public boolean sendEcho(long n, int size) {
            message.putLong(0, n);
            return offered(echoOut.offer(message, 0, size));
        }

        @Override
        public boolean sendThroughput(long n, int size) {
            message.putLong(0, n);
            return offered(throughputOut.offer(message, 0, size));
        }

        private static boolean offered(long result) {
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                throw new IllegalStateException("publication refused a message: " + result);
            }
            return result > 0;
        }

        @Override
        public long pollEcho(boolean echoBack) {
            this.echoBack = echoBack;
            received = Long.MIN_VALUE;
            echoIn.poll(this, 1);
            return received;
        }

        @Override
        public void onFragment(org.agrona.DirectBuffer buffer, int offset, int length,
            io.aeron.logbuffer.Header header) {
            received = buffer.getLong(offset);
            if (echoBack && received != STOP) {
                while (echoOut.offer(buffer, offset, length) < 0) {
                    Thread.onSpinWait(); // the whole payload goes back
                }
            }
        }

        @Override
        public int pollThroughput() {
            return throughputIn.poll(counter, 256);
        }

        @Override
        public void close() {
            aeron.close();
            driver.close();
        }
    }

    /**
     * The gateway path: args {@code <busDir> <outTopic> <inTopic> <throughputTopic> <size>}: publishes to
     * {@code outTopic} and the throughput topic, reads {@code inTopic} (side A: ping, pong; side B: pong, ping)
     * and, on side B, the throughput topic.
     */
    static final class BusLink implements Link, MessageHandler {
        private final Bus bus;
        private final Publisher out;
        private final Subscriber in;
        private final Publisher throughputOut;
        private final Subscriber throughputIn;
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment message = arena.allocate(1 << 16, 8);
        private final MessageHandler counter = (typeId, buffer, offset, length) -> { };
        private boolean echoBack;
        private long received;

        BusLink(String[] args) {
            bus = Bus.open(new BusContext().directory(Path.of(args[0])));
            boolean sideA = args[1].equals(PING_TOPIC);
            out = bus.newPublisher(args[1]);
            in = bus.newSubscriber(args[2], new TopicConfig(), new SubscriberConfig());
            throughputOut = sideA ? bus.newPublisher(args[3]) : null;
            throughputIn = sideA ? null : bus.newSubscriber(args[3], new TopicConfig(), new SubscriberConfig());
        }

        @Override
        public boolean sendEcho(long n, int size) {
            return offered(out, n, size);
        }

        @Override
        public boolean sendThroughput(long n, int size) {
            return offered(throughputOut, n, size);
        }

        private boolean offered(Publisher publisher, long n, int size) {
            message.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, n);
            long result = publisher.offer(message, 0, size);
            if (result < 0 && result != Result.BACK_PRESSURED) {
                throw new IllegalStateException("publisher refused a message: " + Result.describe(result));
            }
            return result >= 0;
        }

        @Override
        public long pollEcho(boolean echoBack) {
            this.echoBack = echoBack;
            received = Long.MIN_VALUE;
            in.poll(this, 1);
            return received;
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            received = buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
            if (echoBack && received != STOP) {
                while (out.offer(buffer, offset, length) < 0) {
                    Thread.onSpinWait(); // the whole payload goes back
                }
            }
        }

        @Override
        public int pollThroughput() {
            return throughputIn.poll(counter, 256);
        }

        @Override
        public void close() {
            bus.close();
            arena.close();
        }
    }

    /**
     * A gateway: args {@code <busDir> <exports> <imports>}, the routes each a comma-separated list of
     * TOPIC=CHANNEL or "-".
     */
    static final class GatewayHost implements ChildRole {
        private final Bus bus;
        private final GatewayDriver driver;
        private final Gateway gateway;

        GatewayHost(String[] args) {
            Path directory = Path.of(args[0]);
            bus = Bus.open(new BusContext().directory(directory));
            driver = GatewayDriver.embedded(directory, "bench", GatewayDriver.DEFAULT_TERM_LENGTH,
                line -> System.err.println(line));
            gateway = Gateway.start(bus, driver, routes(args[1]), routes(args[2]),
                () -> new SubscriberConfig().start(StartPosition.LATEST), line -> { });
        }

        private static List<Route> routes(String spec) {
            List<Route> routes = new ArrayList<>();
            if (!spec.equals("-")) {
                for (String route : spec.split(",")) {
                    int equals = route.indexOf('=');
                    routes.add(Route.of(route.substring(0, equals), route.substring(equals + 1)));
                }
            }
            return routes;
        }

        @Override
        public void execute(String[] command) throws InterruptedException {
            if (!command[0].equals("IDLE")) {
                throw new IllegalArgumentException("unknown command " + command[0]);
            }
            ProcessHandle.Info before = ProcessHandle.current().info();
            long started = System.nanoTime();
            Thread.sleep(ChildRunner.longArg(command, 1));
            ProcessHandle.Info after = ProcessHandle.current().info();
            long cpu = after.totalCpuDuration().orElse(Duration.ZERO).minus(before.totalCpuDuration()
                .orElse(Duration.ZERO)).toNanos();
            if (gateway.failure() != null) {
                throw new IllegalStateException("the gateway failed: " + gateway.failure());
            }
            ChildRunner.reply("RESULT cpuNanos=" + cpu + " wallNanos=" + (System.nanoTime() - started));
        }

        @Override
        public void close() {
            gateway.close();
            driver.close();
            bus.close();
        }
    }
}
