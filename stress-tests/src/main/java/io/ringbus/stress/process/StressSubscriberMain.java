package io.ringbus.stress.process;

import io.ringbus.core.LossListener;
import io.ringbus.core.SlowConsumerPolicy;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.transport.BusClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * A stress subscriber process: receives every message of {@code --topic} and checks each one
 * ({@link MessageCheck}), storing its figures in {@code --stats}. Started by {@link StressRun}.
 *
 * <p>Options: {@code --via}, {@code --dir}, {@code --topic}, {@code --capacity}, {@code --max-message},
 * {@code --stats FILE}, {@code --durable NAME} (resume where the last subscriber of that name stopped;
 * the stats file is then that name's, continued), {@code --wakeup blocking|spin|signal},
 * {@code --start earliest|latest} (where a new subscriber starts; default earliest for a durable one,
 * else latest), {@code --evict-after MILLIS} (evictable after that long a stall: a gap is accepted only
 * where its loss listener was told of a loss first, see {@link MessageCheck#acceptingLossReports}). Prints
 * {@code READY} once joined; the command {@code STOP} closes it ({@code STOPPED n}, exit 0). Self-test:
 * {@code --self-test-freeze N} stops reading (but stays alive and joined) after N messages, which the harness
 * must report as a hang; {@code --self-test-unreported} gives an evictable subscriber a loss listener that hears
 * nothing, so that what it misses must be reported as lost.
 */
public final class StressSubscriberMain {
    private static final long AWAIT_NANOS = 100_000_000L;
    private static volatile boolean stopped;

    private StressSubscriberMain() {
    }

    /** Runs one subscriber; see the class comment. */
    public static void main(String[] args) {
        ChildArgs.run(args, StressSubscriberMain::run);
    }

    private static void run(ChildArgs args) throws Exception {
        ChildArgs.readCommands(line -> {
            if (line.equals("STOP")) {
                stopped = true;
            }
        });
        SubscriberConfig config = new SubscriberConfig()
            .wakeup(WakeupMode.valueOf(args.get("wakeup", "blocking").toUpperCase(Locale.ROOT)));
        boolean durable = args.has("durable");
        if (durable) {
            config.durableName(args.get("durable"));
        }
        config.start(StartPosition.valueOf(args.get("start", durable ? "earliest" : "latest")
            .toUpperCase(Locale.ROOT)));
        long freezeAfter = args.getLong("self-test-freeze", 0);
        try (StatsFile stats = StatsFile.open(Path.of(args.get("stats")));
             BusClient client = args.openClient()) {
            long incarnation = stats.get(StatsFile.INCARNATIONS) + 1;
            stats.set(StatsFile.INCARNATIONS, incarnation);
            MessageCheck check = new MessageCheck(stats, args.getInt("max-message"), durable && incarnation > 1,
                args.getLong("self-test-skip", 0), args.via().stream());
            if (args.via() == Via.AERON) {
                check.acceptingLossNotices(); // bus B is filled by an untethered gateway
            }
            if (args.has("evict-after")) {
                LossListener reports = check.acceptingLossReports();
                config.slowConsumerPolicy(SlowConsumerPolicy.EVICT)
                    .evictAfter(Duration.ofMillis(args.getLong("evict-after", 0)))
                    .lossListener(args.has("self-test-unreported") ? (from, to, bytes) -> { } : reports);
            }
            try (Subscriber subscriber = client.newSubscriber(args.get("topic"), args.topicConfig(), config)) {
                Via.PipeClient.connected();
                stats.set(StatsFile.STARTED, System.nanoTime());
                stats.state(StatsFile.RUNNING);
                ChildArgs.say("READY");
                while (!stopped) {
                    if (freezeAfter > 0 && stats.get(StatsFile.RECEIVED) >= freezeAfter) {
                        Thread.sleep(100); // self-test: joined, alive, and reading nothing
                        continue;
                    }
                    subscriber.await(check, 256, AWAIT_NANOS);
                    stats.set(StatsFile.HEARTBEAT, System.nanoTime());
                }
            }
            stats.state(StatsFile.FINISHED);
            ChildArgs.say("STOPPED " + stats.get(StatsFile.RECEIVED));
        }
    }
}
