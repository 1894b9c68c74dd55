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

/**
 * Child roles of {@link WakeupBenchCommand}: a ping and a pong on a bus, over two topics, whose
 * subscribers wait in one {@link WakeupMode}, or, in mode {@link #POLL}, spin on
 * {@link Subscriber#poll} (the loop a SPIN await is measured against). Arguments of both:
 * {@code <bus dir> <mode>}.
 *
 * <pre>
 *   ping ── topic "ping" ──▶ pong      each side's subscriber waits with Subscriber.await
 *   ping ◀── topic "pong" ── pong      in the mode under test (spin, blocking, signal)
 * </pre>
 *
 * <p>SPIN and POLL never park, so their topics are made without wakeup, as a latency-minded user's
 * would be; BLOCKING and SIGNAL need it.
 */
public final class BusWakeupRoles {
    static final String PING_ROLE = "wakeup-ping";
    static final String PONG_ROLE = "wakeup-pong";
    static final int MESSAGE_LENGTH = 64;
    /** Not a wakeup mode: a SPIN subscriber that is only polled, in a plain loop without pause. */
    static final String POLL = "POLL";
    /** The sequence of the ping that ends the pong's run (the ping sends it after its last round trip). */
    static final long STOP = -1;
    /** Fewest round trips a run measures before its time budget may end it. */
    static final long MIN_MEASURED = 1_000;
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

    /** SPIN with its default idle strategy (a busy spin), as a user who picks SPIN gets it. */
    private static SubscriberConfig subscriberConfig(String mode) {
        return new SubscriberConfig().wakeup(mode.equals(POLL) ? WakeupMode.SPIN : WakeupMode.valueOf(mode));
    }

    private static TopicConfig topicConfig(String mode) {
        return mode.equals(POLL) || mode.equals("SPIN") ? new TopicConfig().wakeup(false) : new TopicConfig();
    }

    /** One message into {@code handler}: by {@code await} in the mode's way, or by polling in a plain loop. */
    private static int receive(Subscriber subscriber, MessageHandler handler, boolean poll) {
        if (!poll) {
            return subscriber.await(handler, 1, AWAIT_NANOS);
        }
        long deadline = System.nanoTime() + AWAIT_NANOS;
        int spins = 0;
        while (true) {
            int delivered = subscriber.poll(handler, 1);
            if (delivered > 0 || ((++spins & 0xFFFF) == 0 && System.nanoTime() - deadline > 0)) {
                return delivered;
            }
        }
    }

    /** Sends a ping, waits for the echo; {@code RUN n} does n round trips and reports percentiles. */
    static final class Ping implements ChildRole, MessageHandler {
        private final Bus bus;
        private final Publisher publisher;
        private final Subscriber subscriber;
        private final MemorySegment payload = Arena.global().allocate(MESSAGE_LENGTH, 64);
        private final Histogram histogram = new Histogram(60_000_000_000L, 3);
        private final boolean poll;
        private long echoed;

        Ping(String[] args) {
            bus = open(args[0]);
            poll = args[1].equals(POLL);
            subscriber = bus.newSubscriber("pong", topicConfig(args[1]), subscriberConfig(args[1]));
            publisher = bus.newPublisher("ping", topicConfig(args[1]));
        }

        @Override
        public void execute(String[] command) {
            long count = ChildRunner.longArg(command, 1);
            long budget = command.length > 2 ? ChildRunner.longArg(command, 2) * 1_000_000L : Long.MAX_VALUE / 4;
            histogram.reset();
            long begin = System.nanoTime();
            for (long i = 0; i < count; i++) {
                // A machine too loaded to keep up ends the run at its budget, with at least MIN_MEASURED measured.
                if (i >= MIN_MEASURED && (i & 255) == 0 && System.nanoTime() - begin > budget) {
                    break;
                }
                payload.set(ValueLayout.JAVA_LONG, 0, i);
                long start = System.nanoTime();
                while (publisher.offer(payload, 0, MESSAGE_LENGTH) < 0) {
                    Thread.onSpinWait();
                }
                if (receive(subscriber, this, poll) == 0 || echoed != i) {
                    throw new IllegalStateException("no echo of round trip " + i + " within 10 s (lost wakeup?)");
                }
                histogram.recordValue(System.nanoTime() - start);
            }
            payload.set(ValueLayout.JAVA_LONG, 0, STOP);
            while (publisher.offer(payload, 0, MESSAGE_LENGTH) < 0) {
                Thread.onSpinWait();
            }
            ChildRunner.reply("RESULT p50=" + histogram.getValueAtPercentile(50) + " p90="
                + histogram.getValueAtPercentile(90) + " p99=" + histogram.getValueAtPercentile(99)
                + " p999=" + histogram.getValueAtPercentile(99.9)
                + " max=" + histogram.getMaxValue() + " count=" + histogram.getTotalCount());
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
        private final boolean poll;
        private int length;

        Pong(String[] args) {
            bus = open(args[0]);
            poll = args[1].equals(POLL);
            subscriber = bus.newSubscriber("ping", topicConfig(args[1]), subscriberConfig(args[1]));
            publisher = bus.newPublisher("pong", topicConfig(args[1]));
        }

        @Override
        public void execute(String[] command) {
            if (command[0].equals("IDLE")) {
                idle(ChildRunner.longArg(command, 1));
                return;
            }
            ChildRunner.reply("ARMED");
            for (long i = 0; ; i++) {
                if (receive(subscriber, this, poll) == 0) {
                    throw new IllegalStateException("no ping " + i + " within 10 s");
                }
                if (copy.get(ValueLayout.JAVA_LONG, 0) == STOP) {
                    break;
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
