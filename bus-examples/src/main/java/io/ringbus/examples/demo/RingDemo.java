package io.ringbus.examples.demo;

import io.ringbus.core.ring.MessageHandler;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingConfig;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import io.ringbus.examples.support.Sizes;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;

/**
 * {@code bus demo --in-process}: two publisher threads and two subscriber threads on one many-producer ring,
 * for a few seconds, with the rate and latency shown as it goes and a check line at the end.
 *
 * <pre>
 *   publisher 0 ─┐                  ┌─▶ subscriber 0  (checks order, counts loss/duplicates)
 *                ├─▶ ring (1 MiB) ──┤
 *   publisher 1 ─┘                  └─▶ subscriber 1
 * </pre>
 *
 * Each message is {@code [publisher id: long][sequence: long][send time: long][spare: long]}.
 */
final class RingDemo {
    private static final int PUBLISHERS = 2;
    private static final int SUBSCRIBERS = 2;
    private static final int MESSAGE_LENGTH = 32;

    private RingDemo() {
    }

    /** Runs the demo for {@code seconds} on a ring of {@code capacity} bytes; returns the exit code. */
    static int run(int seconds, int capacity, PrintWriter out) throws InterruptedException {
        RingConfig config = new RingConfig().capacity(capacity).producerMode(ProducerMode.MANY);
        try (Arena arena = Arena.ofShared()) {
            Ring ring = Ring.format(arena.allocate(config.requiredLength(), 4096), config);
            AtomicLongArray sent = new AtomicLongArray(PUBLISHERS);
            List<Subscriber> subscribers = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < SUBSCRIBERS; i++) {
                Subscriber subscriber = new Subscriber(ring.newReader(), sent);
                subscribers.add(subscriber);
                threads.add(Thread.ofPlatform().name("subscriber-" + i).start(subscriber));
            }
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            List<Thread> publishers = new ArrayList<>();
            for (int i = 0; i < PUBLISHERS; i++) {
                int id = i;
                RingWriter writer = ring.newWriter();
                Runnable publisher = () -> publish(writer, id, sent, deadline);
                publishers.add(Thread.ofPlatform().name("publisher-" + i).start(publisher));
            }
            out.printf("ringbus demo (in-process): %d publishers, %d subscribers, one %s ring, %d s%n",
                PUBLISHERS, SUBSCRIBERS, Sizes.bytes(ring.capacity()), seconds);
            showProgress(publishers, subscribers, sent, out);
            for (Thread thread : publishers) {
                thread.join();
            }
            for (Subscriber subscriber : subscribers) {
                subscriber.publishersDone = true;
            }
            for (Thread thread : threads) {
                thread.join();
            }
            return report(subscribers, sent, out);
        }
    }

    private static void publish(RingWriter writer, int id, AtomicLongArray sent, long deadline) {
        MemorySegment buffer = writer.buffer();
        long sequence = 0;
        while ((sequence & 1023) != 0 || System.nanoTime() < deadline) {
            long position = writer.tryClaim(0, MESSAGE_LENGTH);
            if (position < 0) {
                Thread.yield();
                continue;
            }
            long at = writer.payloadOffset(position);
            buffer.set(ValueLayout.JAVA_LONG, at, id);
            buffer.set(ValueLayout.JAVA_LONG, at + 8, sequence);
            buffer.set(ValueLayout.JAVA_LONG, at + 16, System.nanoTime());
            writer.commit(position);
            sequence++;
            sent.lazySet(id, sequence);
        }
    }

    private static void showProgress(List<Thread> publishers, List<Subscriber> subscribers, AtomicLongArray sent,
        PrintWriter out) throws InterruptedException {
        long lastSent = 0;
        long lastReceived = 0;
        while (publishers.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(1000);
            long totalSent = total(sent);
            long totalReceived = subscribers.stream().mapToLong(s -> s.received).sum();
            Histogram latency = subscribers.get(0).latencySnapshot();
            out.printf("  sent %,12d/s   received %,12d/s   latency p50 %,8.1f us  p99 %,8.1f us"
                + "  max %,9.1f us%n",
                totalSent - lastSent, totalReceived - lastReceived,
                latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
                latency.getMaxValue() / 1000.0);
            out.flush();
            lastSent = totalSent;
            lastReceived = totalReceived;
        }
    }

    private static long total(AtomicLongArray sent) {
        long sum = 0;
        for (int i = 0; i < sent.length(); i++) {
            sum += sent.get(i);
        }
        return sum;
    }

    private static int report(List<Subscriber> subscribers, AtomicLongArray sent, PrintWriter out) {
        long lost = 0;
        long duplicated = 0;
        long outOfOrder = 0;
        long received = 0;
        for (Subscriber subscriber : subscribers) {
            received += subscriber.received;
            duplicated += subscriber.duplicated;
            outOfOrder += subscriber.outOfOrder;
            for (int p = 0; p < PUBLISHERS; p++) {
                lost += sent.get(p) - subscriber.nextSequence[p] + subscriber.gaps[p];
            }
        }
        out.printf("sent %,d  received %,d (%d subscribers)  lost %d  duplicated %d  out of order %d%n",
            total(sent), received, subscribers.size(), lost, duplicated, outOfOrder);
        out.flush();
        return lost == 0 && duplicated == 0 && outOfOrder == 0 ? 0 : 1;
    }

    /** Polls one reader until every publisher is done and drained; checks each publisher's sequence. */
    private static final class Subscriber implements Runnable, MessageHandler {
        private final RingReader reader;
        private final AtomicLongArray sent;
        final long[] nextSequence = new long[PUBLISHERS];
        final long[] gaps = new long[PUBLISHERS];
        volatile boolean publishersDone;
        volatile long received;
        long duplicated;
        long outOfOrder;
        private final Histogram latency = new Histogram(3_600_000_000_000L, 3);
        private final Histogram shown = new Histogram(3_600_000_000_000L, 3);

        Subscriber(RingReader reader, AtomicLongArray sent) {
            this.reader = reader;
            this.sent = sent;
        }

        @Override
        public void run() {
            long idleSince = 0;
            try (reader) {
                while (!(publishersDone && drained())) {
                    if (reader.poll(this, 256) > 0) {
                        idleSince = 0;
                        continue;
                    }
                    // A lost message would leave this loop waiting for it: give up after a second of silence.
                    long now = System.nanoTime();
                    if (!publishersDone || idleSince == 0) {
                        idleSince = now;
                    } else if (now - idleSince > 1_000_000_000L) {
                        return;
                    }
                    Thread.yield();
                }
            }
        }

        private boolean drained() {
            for (int p = 0; p < PUBLISHERS; p++) {
                if (nextSequence[p] < sent.get(p)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            long now = System.nanoTime();
            int publisher = (int) buffer.get(ValueLayout.JAVA_LONG, offset);
            long sequence = buffer.get(ValueLayout.JAVA_LONG, offset + 8);
            long sentAt = buffer.get(ValueLayout.JAVA_LONG, offset + 16);
            long expected = nextSequence[publisher];
            if (sequence == expected) {
                nextSequence[publisher] = expected + 1;
            } else if (sequence > expected) {
                gaps[publisher] += sequence - expected;
                nextSequence[publisher] = sequence + 1;
            } else if (sequence == expected - 1) {
                duplicated++;
            } else {
                outOfOrder++;
            }
            received++;
            synchronized (latency) {
                latency.recordValue(Math.max(0, now - sentAt));
            }
        }

        Histogram latencySnapshot() {
            synchronized (latency) {
                shown.reset();
                shown.add(latency);
                latency.reset();
            }
            return shown;
        }
    }
}
