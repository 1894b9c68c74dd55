package io.ringbus.stress.process;

import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.RingBusException;
import io.ringbus.core.ring.internal.CrashPoints;
import io.ringbus.transport.BusClient;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/**
 * A stress publisher process: publisher {@code --id} sends messages 0, 1, 2... ({@link StressMessage})
 * on {@code --topic} as fast as the ring lets it, storing its figures in {@code --stats} after every
 * message. Started by {@link StressRun}.
 *
 * <p>Options: {@code --via}, {@code --dir}, {@code --topic}, {@code --capacity}, {@code --max-message},
 * {@code --id}, {@code --stats FILE}, {@code --size N|random}, {@code --seed}, {@code --quota N} (then
 * {@code DONE n} and exit; default no limit), {@code --wait-go true} (publish only after the command
 * {@code GO}). Commands: {@code GO}, {@code STOP} (finish the message in hand, print {@code STOPPED n},
 * exit), {@code ARM point} and {@code DISARM} (crash points, in a JVM started with
 * {@code -Dringbus.test.crashPoint=*}; DISARM answers {@code DISARMED point} when the point was not
 * taken, else the point's own {@code CRASHPOINT point} line tells). Self-test: {@code --self-test-trace true}
 * prints a stack trace on standard error once publishing, which the harness must report.
 */
public final class StressPublisherMain {
    private static final CountDownLatch GO = new CountDownLatch(1);
    private static volatile boolean stopped;

    private StressPublisherMain() {
    }

    /** Runs one publisher; see the class comment. */
    public static void main(String[] args) {
        ChildArgs.run(args, StressPublisherMain::run);
    }

    private static void run(ChildArgs args) throws Exception {
        ChildArgs.readCommands(StressPublisherMain::command);
        int id = args.getInt("id");
        long quota = args.getLong("quota", -1);
        long tearEvery = args.getLong("self-test-tear", 0);
        long crashAfter = args.getLong("self-test-crash", 0);
        try (StatsFile stats = StatsFile.open(Path.of(args.get("stats")));
             BusClient client = args.openClient();
             Publisher publisher = client.newPublisher(args.get("topic"), args.topicConfig())) {
            Via.PipeClient.connected();
            MessageSizes sizes = MessageSizes.parse(args.get("size", "random"), publisher.maxMessageLength());
            ChildArgs.say("READY");
            if (Boolean.parseBoolean(args.get("wait-go", "false"))) {
                while (!stopped && !GO.await(100, TimeUnit.MILLISECONDS)) {
                    stats.set(StatsFile.HEARTBEAT, System.nanoTime());
                }
            }
            stats.state(StatsFile.RUNNING);
            if (Boolean.parseBoolean(args.get("self-test-trace", "false"))) {
                new IllegalStateException("self-test: a stack trace on standard error").printStackTrace();
            }
            SplittableRandom random = new SplittableRandom(args.getLong("seed", id));
            long committed = publish(publisher, stats, new Plan(id, quota, sizes, tearEvery, crashAfter), random);
            stats.state(StatsFile.FINISHED);
            ChildArgs.say((stopped ? "STOPPED " : "DONE ") + committed);
        }
    }

    private static void command(String line) {
        if (line.equals("GO")) {
            GO.countDown();
        } else if (line.equals("STOP")) {
            stopped = true;
            GO.countDown();
        } else if (line.startsWith("ARM ")) {
            CrashPoints.arm(line.substring(4).trim(), 1);
        } else if (line.equals("DISARM")) {
            String untaken = CrashPoints.disarm();
            ChildArgs.say(untaken != null ? "DISARMED " + untaken : "DISARM too late");
        }
    }

    /**
     * What to publish: as publisher {@code id}, up to {@code quota} messages; for the self-test, spoiling
     * one in {@code tearEvery} and crashing the JVM after {@code crashAfter} (0: never).
     */
    private record Plan(int id, long quota, MessageSizes sizes, long tearEvery, long crashAfter) {
    }

    private static long publish(Publisher publisher, StatsFile stats, Plan plan, SplittableRandom random) {
        int id = plan.id();
        long quota = plan.quota();
        int max = publisher.maxMessageLength();
        byte[] pool = new byte[2 * max];
        random.nextBytes(pool);
        byte[] message = new byte[max];
        CRC32C crc = new CRC32C();
        long backPressured = 0;
        long sequence = 0;
        stats.set(StatsFile.STARTED, System.nanoTime());
        while (!stopped && (quota < 0 || sequence < quota)) {
            int length = plan.sizes().next(random);
            StressMessage.encode(message, id, sequence, length, pool, (int) Math.floorMod(sequence * 131, max), crc);
            if (plan.tearEvery() > 0 && sequence % plan.tearEvery() == plan.tearEvery() - 1) {
                message[length - 1] ^= 0x5A; // self-test: spoiled after its CRC, as a torn write would
            }
            stats.set(StatsFile.SENT, sequence + 1);
            int refusals = 0;
            long result;
            while ((result = publisher.offer(message, 0, length)) < 0) {
                if (result != Result.BACK_PRESSURED && result != Result.ADMIN_ACTION
                    && result != Result.NOT_CONNECTED) {
                    throw new RingBusException("offer of message " + sequence + " returned "
                        + Result.describe(result));
                }
                stats.set(StatsFile.HEARTBEAT, System.nanoTime());
                stats.set(StatsFile.BACK_PRESSURED, ++backPressured);
                if (stopped) {
                    return sequence;
                }
                backOff(++refusals);
            }
            sequence++;
            stats.set(StatsFile.COMMITTED, sequence);
            if (sequence == plan.crashAfter()) {
                crashTheJvm();
            }
            stats.set(StatsFile.HEARTBEAT, System.nanoTime());
        }
        return sequence;
    }

    /** Self-test: a native read of address 8, which HotSpot cannot survive (SIGSEGV, an hs_err file). */
    private static void crashTheJvm() {
        System.out.println(MemorySegment.ofAddress(8).reinterpret(8)
            .get(ValueLayout.JAVA_LONG, 0));
    }

    /** Spins a little, then yields, then sleeps 50 us a time: a full ring empties at the readers' pace. */
    private static void backOff(int refusals) {
        if (refusals < 64) {
            Thread.onSpinWait();
        } else if (refusals < 128) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(50_000);
        }
    }
}
