package io.ringbus.transport.gateway;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.SlowConsumerPolicy;
import io.ringbus.core.StartPosition;
import io.ringbus.core.SubscriberConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The library's gateway in a child JVM for {@link GatewayTest}: what {@code bus gateway} runs (the CLI lives in
 * bus-examples, above this module), with only the options the tests give. It prints the library's log lines, then
 * {@code gateway ready}, then {@code stat ...} lines every {@code --stats-interval}; on SIGTERM the shutdown hook
 * stops the routes, prints the final {@code stat} lines and closes the driver (its directory is deleted) before
 * the JVM exits (status 143).
 *
 * <pre>
 *   GatewayMain --dir BUSDIR [--export TOPIC=CHANNEL]... [--import TOPIC=CHANNEL]... [--stats-interval 0|Nms|Ns]
 *               [--evictable] [--evict-after MILLIS]
 * </pre>
 */
public final class GatewayMain {
    private GatewayMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = null;
        List<Route> exports = new ArrayList<>();
        List<Route> imports = new ArrayList<>();
        long statsNanos = 0;
        boolean evictable = false;
        long evictAfterMillis = 5_000;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--dir" -> dir = Path.of(value);
                case "--export" -> exports.add(route(value));
                case "--import" -> imports.add(route(value));
                case "--stats-interval" -> statsNanos = nanos(value);
                case "--evictable" -> {
                    evictable = true;
                    continue;
                }
                case "--evict-after" -> evictAfterMillis = Long.parseLong(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        PrintStream out = System.out;
        boolean evict = evictable;
        long evictAfter = evictAfterMillis;
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(30, TimeUnit.SECONDS); // the routes and the driver close before the JVM ends
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }));
        try (Bus bus = Bus.open(new BusContext().directory(dir));
            GatewayDriver driver = GatewayDriver.embedded(dir, "gateway", GatewayDriver.DEFAULT_TERM_LENGTH,
                out::println)) {
            Gateway gateway = Gateway.start(bus, driver, exports, imports, () -> {
                SubscriberConfig config = new SubscriberConfig().start(StartPosition.LATEST);
                return evict ? config.slowConsumerPolicy(SlowConsumerPolicy.EVICT)
                    .evictAfter(Duration.ofMillis(evictAfter)) : config;
            }, out::println);
            try {
                out.println("gateway ready: " + exports.size() + " exported, " + imports.size() + " imported");
                long next = System.nanoTime() + statsNanos;
                while (!stop.await(20, TimeUnit.MILLISECONDS) && gateway.failure() == null) {
                    if (statsNanos > 0 && System.nanoTime() - next >= 0) {
                        next += statsNanos;
                        gateway.statusLines().forEach(line -> out.println("stat " + line));
                    }
                }
            } finally {
                gateway.close();
                gateway.statusLines().forEach(line -> out.println("stat " + line));
            }
            if (gateway.failure() != null) {
                gateway.failure().printStackTrace(out);
            }
        } finally {
            out.flush();
            stopped.countDown();
        }
        if (stop.getCount() > 0) {
            System.exit(1); // a route failed (a signal's status is the JVM's own, 143, as the CLI's)
        }
    }

    private static Route route(String value) {
        int equals = value.indexOf('=');
        return Route.of(value.substring(0, equals), value.substring(equals + 1));
    }

    private static long nanos(String value) {
        if (value.endsWith("ms")) {
            return TimeUnit.MILLISECONDS.toNanos(Long.parseLong(value.substring(0, value.length() - 2)));
        }
        if (value.endsWith("s")) {
            return TimeUnit.SECONDS.toNanos(Long.parseLong(value.substring(0, value.length() - 1)));
        }
        return TimeUnit.SECONDS.toNanos(Long.parseLong(value));
    }
}
