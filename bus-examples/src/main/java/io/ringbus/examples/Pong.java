package io.ringbus.examples;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.examples.support.CommandLines;
import io.ringbus.examples.support.ExitCodes;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.agrona.concurrent.BusySpinIdleStrategy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The echo half of a round-trip measurement: every message of topic {@code ping} is published back,
 * unchanged, on topic {@code pong}. {@link Ping} measures.
 *
 * <pre>
 *   Ping ── ping ──▶ Pong
 *        ◀── pong ──
 *
 *   terminal 1: ./bus sample pong
 *   terminal 2: ./bus sample ping
 * </pre>
 */
@Command(name = "pong", aliases = "Pong",
    mixinStandardHelpOptions = true,
    description = "Echoes every message of topic 'ping' on topic 'pong', until Ctrl-C. Start it before ping.",
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {"1:a failure the one-line message explains (a bad --wakeup, the bus, ...)", ExitCodes.USAGE,
        ExitCodes.SIGNALS + ": how it ends"},
    footer = {"", "Example: ./bus sample pong --wakeup blocking"})
public final class Pong implements Callable<Integer> {
    @Option(names = "--dir", description = "Bus directory (default: /dev/shm/ringbus-$USER/default).")
    Path directory;

    @Option(names = "--wakeup", paramLabel = "spin|blocking",
        description = "How to wait: spin (a busy core, lowest latency; the default) or blocking (a futex).")
    String wakeup = "spin";

    private volatile boolean running = true;

    /** Runs the sample. */
    public static void main(String[] args) {
        System.exit(CommandLines.configure(new CommandLine(new Pong())).execute(args));
    }

    @Override
    public Integer call() {
        BusContext context = new BusContext();
        if (directory != null) {
            context.directory(directory);
        }
        SubscriberConfig config = new SubscriberConfig()
            .wakeup(Ping.wakeupMode(wakeup))
            .idleStrategy(BusySpinIdleStrategy::new);
        try (Bus bus = Bus.open(context)) {     // closing the bus closes its publishers and subscribers
            Publisher pong = bus.newPublisher("pong");
            Subscriber ping = bus.newSubscriber("ping", new TopicConfig(), config);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                running = false;
                ping.close();
            }));
            // Copies the payload from one ring into the other; retries while the pong ring is full.
            MessageHandler echo = (typeId, buffer, offset, length) -> {
                long result;
                while ((result = pong.offer(buffer, offset, length)) < 0 && result != Result.CLOSED) {
                    Thread.onSpinWait();
                }
            };
            System.out.println("pong: echoing 'ping' to 'pong' in " + bus.context().directory() + " ("
                + config.wakeup().name().toLowerCase(java.util.Locale.ROOT) + " wakeup); Ctrl-C to stop");
            while (running) {
                ping.await(echo, 16, 1_000_000_000L);
            }
        }
        return 0;
    }
}
