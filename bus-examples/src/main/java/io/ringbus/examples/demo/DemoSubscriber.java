package io.ringbus.examples.demo;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.ring.MessageHandler;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * One subscriber process of {@code bus demo}: joins the topic, says READY, then receives until it
 * has every publisher's END message (or the parent says STOP), checking each publisher's sequence
 * for gaps, repeats and disorder and recording the latency. Reports four times a second and ends with
 * RESULT. Started by {@link DemoCommand}.
 *
 * <p>Arguments: {@code DIR PUBLISHERS CAPACITY}.
 */
public final class DemoSubscriber implements MessageHandler {
    private static final long REPORT_INTERVAL_NANOS = 250_000_000L;

    private static volatile boolean stopped;

    private final long[] nextSequence;
    private final long[] gaps;
    private final boolean[] ended;
    private final Histogram latency = ChildProtocol.newHistogram();
    private long received;
    private long duplicated;
    private long outOfOrder;
    private int endsSeen;

    private DemoSubscriber(int publishers) {
        nextSequence = new long[publishers];
        gaps = new long[publishers];
        ended = new boolean[publishers];
    }

    /** Runs one subscriber; see the class comment for the arguments. */
    public static void main(String[] args) {
        Path directory = Path.of(args[0]);
        int publishers = Integer.parseInt(args[1]);
        int capacity = Integer.parseInt(args[2]);
        ChildProtocol.readCommands(line -> {
            if (line.equals(ChildProtocol.STOP)) {
                stopped = true;
            }
        });
        DemoSubscriber checker = new DemoSubscriber(publishers);
        SubscriberConfig config = new SubscriberConfig()
            .start(StartPosition.LATEST)
            .wakeup(WakeupMode.SPIN)
            .idleStrategy(YieldingIdleStrategy::new);
        TopicConfig topic = new TopicConfig().capacity(capacity);
        try (Bus bus = Bus.open(new BusContext().directory(directory));
             Subscriber subscriber = bus.newSubscriber(DemoMessage.TOPIC, topic, config)) {
            ChildProtocol.report(ChildProtocol.READY);
            long nextReport = System.nanoTime() + REPORT_INTERVAL_NANOS;
            while (!stopped && checker.endsSeen < publishers) {
                subscriber.await(checker, 256, 100_000_000L);
                long now = System.nanoTime();
                if (now - nextReport >= 0) {
                    checker.reportProgress();
                    nextReport = now + REPORT_INTERVAL_NANOS;
                }
            }
        }
        checker.reportProgress();
        ChildProtocol.report(ChildProtocol.RESULT + " " + checker.received + " " + checker.duplicated + " "
            + checker.outOfOrder + " " + join(checker.nextSequence) + " " + join(checker.gaps));
    }

    private static String join(long[] values) {
        return Arrays.stream(values).mapToObj(Long::toString).collect(Collectors.joining(","));
    }

    private void reportProgress() {
        ChildProtocol.report(ChildProtocol.RECEIVED + " " + received + " " + ChildProtocol.encode(latency));
        latency.reset();
    }

    @Override
    public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
        long now = System.nanoTime();
        if (length != DemoMessage.LENGTH) {
            outOfOrder++; // not a demo message: counted as a fault
            return;
        }
        long publisher = buffer.get(ValueLayout.JAVA_LONG, offset + DemoMessage.PUBLISHER_OFFSET);
        long sequence = buffer.get(ValueLayout.JAVA_LONG, offset + DemoMessage.SEQUENCE_OFFSET);
        long sentAt = buffer.get(ValueLayout.JAVA_LONG, offset + DemoMessage.SEND_TIME_OFFSET);
        if (publisher < 0 || publisher >= nextSequence.length) {
            outOfOrder++;
            return;
        }
        int p = (int) publisher;
        if (sequence == DemoMessage.END) {
            if (!ended[p]) {
                ended[p] = true;
                endsSeen++;
            }
            return;
        }
        long expected = nextSequence[p];
        if (sequence == expected) {
            nextSequence[p] = expected + 1;
        } else if (sequence > expected) {
            gaps[p] += sequence - expected;
            nextSequence[p] = sequence + 1;
        } else if (sequence == expected - 1) {
            duplicated++;
        } else {
            outOfOrder++;
        }
        received++;
        latency.recordValue(Math.min(ChildProtocol.HIGHEST_LATENCY, Math.max(0, now - sentAt)));
    }
}
