package io.ringbus.examples;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.RingBusException;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.examples.support.CommandLines;
import io.ringbus.examples.support.ExitCodes;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BusySpinIdleStrategy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Round-trip latency across processes: publishes a message on topic {@code ping}, waits for
 * {@link Pong} to echo it on topic {@code pong}, and again, one message in flight; prints the
 * percentiles (HdrHistogram) of the round trips.
 *
 * <pre>
 *   Ping ── ping ──▶ Pong
 *        ◀── pong ──
 *
 *   terminal 1: ./bus sample pong
 *   terminal 2: ./bus sample ping
 * </pre>
 *
 * <p>A warm-up of at least {@value #WARMUP_ROUND_TRIPS} round trips and one second comes first, in
 * the same loop. The message carries its sequence and send time: {@code [sequence][nanoTime]...}.
 */
@Command(name = "ping", aliases = "Ping",
    mixinStandardHelpOptions = true,
    description = {"Measures round trips to pong (start it first): publishes on topic 'ping', waits for the echo on"
            + " 'pong', one message in flight. Prints the round-trip percentiles.",
        "Give both the same --wakeup: spin (two busy cores, lowest latency) or blocking (futex wakeups)."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":the percentiles were printed",
        "1:a failure the one-line message explains (no pong answered, bad --length or --wakeup, ...)",
        ExitCodes.USAGE,
        ExitCodes.SIGNALS},
    footer = {"", "Examples:",
        "  ./bus sample pong                    # terminal 1",
        "  ./bus sample ping --seconds 10       # terminal 2"})
public final class Ping implements Callable<Integer> {
    static final int WARMUP_ROUND_TRIPS = 100_000;
    private static final long WARMUP_NANOS = 1_000_000_000L;
    private static final long PROBE_TIMEOUT_NANOS = 1_000_000_000L;
    private static final long ECHO_TIMEOUT_NANOS = 10_000_000_000L;

    @Option(names = "--dir", description = "Bus directory (default: /dev/shm/ringbus-$USER/default).")
    Path directory;

    @Option(names = "--wakeup", paramLabel = "spin|blocking",
        description = "How to wait: spin (a busy core, lowest latency; the default) or blocking (a futex).")
    String wakeup = "spin";

    @Option(names = "--seconds", description = "Measured seconds, after the warm-up (default: ${DEFAULT-VALUE}).")
    int seconds = 5;

    @Option(names = "--length", description = "Message length in bytes, 16 or more (default: ${DEFAULT-VALUE}).")
    int length = 32;

    /** Runs the sample. */
    public static void main(String[] args) {
        System.exit(CommandLines.configure(new CommandLine(new Ping())).execute(args));
    }

    @Override
    public Integer call() {
        if (length < 16 || seconds < 1) {
            throw new IllegalArgumentException("--length must be 16 or more and --seconds 1 or more");
        }
        BusContext context = new BusContext();
        if (directory != null) {
            context.directory(directory);
        }
        SubscriberConfig config = new SubscriberConfig()
            .wakeup(wakeupMode(wakeup))
            .idleStrategy(BusySpinIdleStrategy::new);
        try (Bus bus = Bus.open(context);
             Subscriber pong = bus.newSubscriber("pong", new TopicConfig(), config);  // join before sending
             Publisher ping = bus.newPublisher("ping")) {
            RoundTrip roundTrip = new RoundTrip(ping, pong, length);
            if (!roundTrip.run(PROBE_TIMEOUT_NANOS)) {
                System.out.println("ping: waiting for pong in " + bus.context().directory()
                    + " (start it: ./bus sample pong)");
                while (!roundTrip.run(PROBE_TIMEOUT_NANOS)) {
                    Thread.onSpinWait();
                }
            }
            long start = System.nanoTime();
            for (long trips = 0; trips < WARMUP_ROUND_TRIPS || System.nanoTime() - start < WARMUP_NANOS; trips++) {
                roundTrip.runOrFail();
            }
            Histogram histogram = new Histogram(60_000_000_000L, 3);
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            do {
                for (int i = 0; i < 256; i++) {
                    roundTrip.runOrFail();
                    histogram.recordValue(Math.min(roundTrip.lastNanos, histogram.getHighestTrackableValue()));
                }
            } while (System.nanoTime() - end < 0);
            print(histogram, config.wakeup());
        }
        return 0;
    }

    private void print(Histogram histogram, WakeupMode mode) {
        System.out.printf("ping: %,d round trips of %d bytes in %d s (%s wakeup), after a warm-up%n",
            histogram.getTotalCount(), length, seconds, mode.name().toLowerCase(Locale.ROOT));
        System.out.println("  percentile   round trip");
        for (double percentile : new double[] {50, 90, 99, 99.9, 99.99}) {
            System.out.printf("  %-10s %,10.2f us%n", percentile + "%",
                histogram.getValueAtPercentile(percentile) / 1000.0);
        }
        System.out.printf("  %-10s %,10.2f us%n", "max", histogram.getMaxValue() / 1000.0);
    }

    /** The wakeup modes the ping-pong samples offer. */
    static WakeupMode wakeupMode(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "spin" -> WakeupMode.SPIN;
            case "blocking" -> WakeupMode.BLOCKING;
            default -> throw new IllegalArgumentException("--wakeup must be spin or blocking, not '" + name + "'");
        };
    }

    /** One message out on ping, its echo back on pong. */
    private static final class RoundTrip implements MessageHandler {
        private final Publisher ping;
        private final Subscriber pong;
        private final int length;
        private long sequence;
        private long echoed = -1;
        long lastNanos;

        RoundTrip(Publisher ping, Subscriber pong, int length) {
            this.ping = ping;
            this.pong = pong;
            this.length = length;
        }

        /** Sends the next message and waits for its echo; false if none came within the timeout. */
        boolean run(long timeoutNanos) {
            sequence++;
            long position;
            while ((position = ping.tryClaim(length)) < 0) {
                if (position == Result.CLOSED) {
                    throw new RingBusException("the ping publisher was closed");
                }
                Thread.onSpinWait(); // BACK_PRESSURED: pong is a whole ring behind
            }
            MemorySegment buffer = ping.buffer();
            long at = ping.payloadOffset(position);
            buffer.set(ValueLayout.JAVA_LONG, at, sequence);
            buffer.set(ValueLayout.JAVA_LONG, at + 8, System.nanoTime());
            ping.commit(position);
            long deadline = System.nanoTime() + timeoutNanos;
            while (echoed != sequence) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                pong.await(this, 1, remaining);
            }
            return true;
        }

        void runOrFail() {
            if (!run(ECHO_TIMEOUT_NANOS)) {
                throw new RingBusException("pong stopped answering: no echo of message " + sequence + " within "
                    + ECHO_TIMEOUT_NANOS / 1_000_000_000L + " s (our pong subscriber is at position "
                    + pong.position() + ")");
            }
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            long now = System.nanoTime();
            long echo = buffer.get(ValueLayout.JAVA_LONG, offset);
            if (echo == sequence) {         // an echo of an earlier, timed-out message is ignored
                lastNanos = now - buffer.get(ValueLayout.JAVA_LONG, offset + 8);
                echoed = echo;
            }
        }
    }
}
