package io.ringbus.examples.bench.wakeup;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.examples.bench.child.ChildRole;
import io.ringbus.examples.bench.child.ChildRunner;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BusySpinIdleStrategy;

/**
 * Child roles of {@link WakeupBenchCommand}: a ping and a pong on a bus, over two topics, whose
 * subscribers wait in one {@link WakeupMode}. Arguments of both: {@code <bus dir> <mode>}.
 *
 * <pre>
 *   ping ── topic "ping" ──▶ pong      each side's subscriber waits with Subscriber.await
 *   ping ◀── topic "pong" ── pong      in the mode under test (spin, blocking, signal)
 * </pre>
 */
public final class BusWakeupRoles {
    static final String PING_ROLE = "wakeup-ping";
    static final String PONG_ROLE = "wakeup-pong";
    static final int MESSAGE_LENGTH = 64;
    private static final long AWAIT_NANOS = 10_000_000_000L;

    private BusWakeupRoles() {
    }

    /** Entry point of the child JVMs of {@code bus bench wakeup}: {@code <role> <timeoutMillis> <bus dir> <mode>}. */
    public static void main(String[] args) {
        ChildRunner.run(args, (role, roleArgs, guard) -> switch (role) {
            case PING_ROLE -> new Ping(roleArgs);
            case PONG_ROLE -> new Pong(roleArgs);
            default -> throw new IllegalArgumentException("unknown role '" + role + "'");
        });
    }

    private static Bus open(String directory) {
        return Bus.open(new BusContext().directory(Path.of(directory)));
    }

    private static SubscriberConfig subscriberConfig(String mode) {
        SubscriberConfig config = new SubscriberConfig().wakeup(WakeupMode.valueOf(mode));
        return mode.equals("SPIN") ? config.idleStrategy(BusySpinIdleStrategy::new) : config;
    }

    /** Sends a ping, waits for the echo; {@code RUN n} does n round trips and reports percentiles. */
    static final class Ping implements ChildRole, MessageHandler {
        private final Bus bus;
        private final Publisher publisher;
        private final Subscriber subscriber;
        private final MemorySegment payload = Arena.global().allocate(MESSAGE_LENGTH, 64);
        private final Histogram histogram = new Histogram(60_000_000_000L, 3);
        private long echoed;

        Ping(String[] args) {
            bus = open(args[0]);
            subscriber = bus.newSubscriber("pong", new TopicConfig(), subscriberConfig(args[1]));
            publisher = bus.newPublisher("ping");
        }

        @Override
        public void execute(String[] command) {
            long count = ChildRunner.longArg(command, 1);
            histogram.reset();
            for (long i = 0; i < count; i++) {
                payload.set(ValueLayout.JAVA_LONG, 0, i);
                long start = System.nanoTime();
                while (publisher.offer(payload, 0, MESSAGE_LENGTH) < 0) {
                    Thread.onSpinWait();
                }
                if (subscriber.await(this, 1, AWAIT_NANOS) == 0 || echoed != i) {
                    throw new IllegalStateException("no echo of round trip " + i + " within 10 s (lost wakeup?)");
                }
                histogram.recordValue(System.nanoTime() - start);
            }
            ChildRunner.reply("RESULT p50=" + histogram.getValueAtPercentile(50) + " p90="
                + histogram.getValueAtPercentile(90) + " p99=" + histogram.getValueAtPercentile(99)
                + " p999=" + histogram.getValueAtPercentile(99.9)
                + " max=" + histogram.getMaxValue());
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            echoed = buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
        }

        @Override
        public void close() {
            bus.close();
        }
    }

    /**
     * Echoes every ping. {@code RUN n} echoes n pings; {@code IDLE seconds} waits that long with no
     * traffic and reports the process's CPU use as a percentage of one core.
     */
    static final class Pong implements ChildRole, MessageHandler {
        private final Bus bus;
        private final Publisher publisher;
        private final Subscriber subscriber;
        private final MemorySegment copy = Arena.global().allocate(MESSAGE_LENGTH, 64);
        private int length;

        Pong(String[] args) {
            bus = open(args[0]);
            subscriber = bus.newSubscriber("ping", new TopicConfig(), subscriberConfig(args[1]));
            publisher = bus.newPublisher("pong");
        }

        @Override
        public void execute(String[] command) {
            if (command[0].equals("IDLE")) {
                idle(ChildRunner.longArg(command, 1));
                return;
            }
            long count = ChildRunner.longArg(command, 1);
            ChildRunner.reply("ARMED");
            for (long i = 0; i < count; i++) {
                if (subscriber.await(this, 1, AWAIT_NANOS) == 0) {
                    throw new IllegalStateException("no ping " + i + " within 10 s");
                }
                while (publisher.offer(copy, 0, length) < 0) {
                    Thread.onSpinWait();
                }
            }
            ChildRunner.reply("DONE");
        }

        private void idle(long seconds) {
            long cpuBefore = cpuNanos();
            long start = System.nanoTime();
            long deadline = start + seconds * 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                subscriber.await(this, 1, deadline - System.nanoTime());
            }
            double percent = 100.0 * (cpuNanos() - cpuBefore) / (System.nanoTime() - start);
            ChildRunner.reply("RESULT cpuPercent=" + String.format("%.2f", percent));
        }

        private static long cpuNanos() {
            return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int messageLength) {
            MemorySegment.copy(buffer, offset, copy, 0, messageLength);
            length = messageLength;
        }

        @Override
        public void close() {
            bus.close();
        }
    }
}
