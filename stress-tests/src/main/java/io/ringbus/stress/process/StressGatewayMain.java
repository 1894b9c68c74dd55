package io.ringbus.stress.process;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.SlowConsumerPolicy;
import io.ringbus.core.StartPosition;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.transport.gateway.Gateway;
import io.ringbus.transport.gateway.GatewayDriver;
import io.ringbus.transport.gateway.Route;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A gateway process of a {@code --via aeron} run: the library's {@link Gateway} (what {@code bus gateway} runs)
 * on an embedded media driver, exporting ({@code --export}) or importing ({@code --import}) the main topic over
 * {@code --channel}. Started (with Aeron's one JVM flag) and killed by {@link StressGateways}.
 *
 * <p>Options: {@code --dir}, {@code --topic}, {@code --channel}, {@code --direction export|import},
 * {@code --evict-after MILLIS} (an exporter is evictable: untethered, a slow or absent importer never holds the
 * publishers back for longer, and what it then misses is announced by the importer). Prints the gateway's log
 * lines ({@code LOSS ...}, {@code UNSURE ...}, ...) as they come, then {@code READY} once its route runs; the
 * command {@code STOP} closes it ({@code STOPPED}, exit 0). A route's failure is an {@code ERROR} line.
 */
public final class StressGatewayMain {
    private StressGatewayMain() {
    }

    /** Runs one gateway; see the class comment. */
    public static void main(String[] args) {
        ChildArgs.run(args, StressGatewayMain::run);
    }

    private static void run(ChildArgs args) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        ChildArgs.readCommands(line -> {
            if (line.equals("STOP")) {
                stop.countDown();
            }
        });
        Route route = Route.of(args.get("topic"), args.get("channel"));
        boolean export = args.get("direction").equals("export");
        Duration evictAfter = Duration.ofMillis(args.getLong("evict-after", 1_000));
        try (Bus bus = Bus.open(new BusContext().directory(args.dir()));
             GatewayDriver driver = GatewayDriver.embedded(args.dir(), "stress", GatewayDriver.DEFAULT_TERM_LENGTH,
                 ChildArgs::say)) {
            Gateway gateway = Gateway.start(bus, driver, export ? List.of(route) : List.of(),
                export ? List.of() : List.of(route),
                () -> new SubscriberConfig().start(StartPosition.EARLIEST).slowConsumerPolicy(SlowConsumerPolicy.EVICT)
                    .evictAfter(evictAfter),
                ChildArgs::say);
            try {
                ChildArgs.say("READY");
                while (!stop.await(50, TimeUnit.MILLISECONDS) && gateway.failure() == null) {
                    // The routes run on the gateway's thread.
                }
            } finally {
                gateway.close();
            }
            if (gateway.failure() instanceof RuntimeException failure) {
                throw failure;
            } else if (gateway.failure() instanceof Error error) {
                throw error;
            }
        }
        ChildArgs.say("STOPPED");
    }
}
