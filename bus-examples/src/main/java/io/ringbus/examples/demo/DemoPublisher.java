package io.ringbus.examples.demo;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.TopicConfig;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * One publisher process of {@code bus demo}: joins the topic, says READY, waits for
 * {@code GO flatSeconds pacedSeconds rate}, then publishes {@link DemoMessage}s as fast as the ring lets
 * it for the flat-out seconds, then at {@code rate} messages a second on average for the paced seconds (0: no
 * paced phase; ahead of its schedule it yields the CPU, or sleeps when the next message is far off),
 * reporting its count four times a second; ends with its END message and DONE. Started by
 * {@link DemoCommand}.
 *
 * <p>Arguments: {@code DIR ID CAPACITY}.
 */
public final class DemoPublisher {
    private static final long REPORT_INTERVAL_NANOS = 250_000_000L;
    /** A paced publisher further ahead of its schedule than this sleeps; closer, it yields. */
    static final long PACED_SLEEP_NANOS = 200_000L;

    private static volatile boolean stopped;
    private static volatile long seconds;
    private static volatile long pacedSeconds;
    private static volatile long rate;

    private DemoPublisher() {
    }

    /** Runs one publisher; see the class comment for the arguments. */
    public static void main(String[] args) throws InterruptedException {
        Path directory = Path.of(args[0]);
        long id = Long.parseLong(args[1]);
        int capacity = Integer.parseInt(args[2]);
        CountDownLatch go = new CountDownLatch(1);
        ChildProtocol.readCommands(line -> {
            if (line.startsWith(ChildProtocol.GO + " ")) {
                String[] words = line.split(" ");
                seconds = Long.parseLong(words[1]);
                pacedSeconds = words.length > 2 ? Long.parseLong(words[2]) : 0;
                rate = words.length > 3 ? Long.parseLong(words[3]) : 0;
                go.countDown();
            } else if (line.equals(ChildProtocol.STOP)) {
                stopped = true;
                go.countDown();
            }
        });
        try (Bus bus = Bus.open(new BusContext().directory(directory));
             Publisher publisher = bus.newPublisher(DemoMessage.TOPIC, new TopicConfig().capacity(capacity))) {
            ChildProtocol.report(ChildProtocol.READY);
            go.await();
            long flatEnd = System.nanoTime() + seconds * 1_000_000_000L;
            long sent = publish(publisher, id, 0, flatEnd, 0);
            if (pacedSeconds > 0 && rate > 0) {
                sent = publish(publisher, id, sent, flatEnd + pacedSeconds * 1_000_000_000L, 1_000_000_000L / rate);
            }
            sendEnd(publisher, id, sent);
            ChildProtocol.report(ChildProtocol.SENT + " " + sent);
            ChildProtocol.report(ChildProtocol.DONE + " " + sent);
        }
    }

    /**
     * Publishes from {@code sequence} on until {@code deadline}: as fast as the ring takes them when
     * {@code periodNanos} is 0, else one every {@code periodNanos} (yielding in between, and sleeping
     * when the next one is far off); returns the next sequence.
     */
    private static long publish(Publisher publisher, long id, long sequence, long deadline, long periodNanos) {
        MemorySegment buffer = publisher.buffer();
        long nextReport = System.nanoTime() + REPORT_INTERVAL_NANOS;
        long nextSend = System.nanoTime();
        while (!stopped) {
            if (periodNanos > 0) {
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    break;
                }
                if (now - nextReport >= 0) {
                    ChildProtocol.report(ChildProtocol.SENT + " " + sequence);
                    nextReport = now + REPORT_INTERVAL_NANOS;
                }
                if (nextSend - now > 0) {
                    // Ahead of the schedule: yield the CPU to whoever wants it (a subscriber, on a machine
                    // with fewer cores than busy processes), and sleep only when the next send is far off:
                    // a publisher woken from a sleep preempts a subscriber, which then sees messages late.
                    if (nextSend - now > PACED_SLEEP_NANOS) {
                        LockSupport.parkNanos(nextSend - now - PACED_SLEEP_NANOS / 2);
                    } else {
                        Thread.yield();
                    }
                    continue;
                }
                nextSend += periodNanos;
            } else if ((sequence & 1023) == 0) {
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    break;
                }
                if (now - nextReport >= 0) {
                    ChildProtocol.report(ChildProtocol.SENT + " " + sequence);
                    nextReport = now + REPORT_INTERVAL_NANOS;
                }
            }
            long position = publisher.tryClaim(DemoMessage.LENGTH);
            if (position < 0) {
                if (position == Result.CLOSED) {
                    break;
                }
                Thread.yield(); // BACK_PRESSURED: the slowest subscriber is a ring behind
                continue;
            }
            long at = publisher.payloadOffset(position);
            buffer.set(ValueLayout.JAVA_LONG, at + DemoMessage.PUBLISHER_OFFSET, id);
            buffer.set(ValueLayout.JAVA_LONG, at + DemoMessage.SEQUENCE_OFFSET, sequence);
            buffer.set(ValueLayout.JAVA_LONG, at + DemoMessage.SEND_TIME_OFFSET, System.nanoTime());
            buffer.set(ValueLayout.JAVA_LONG, at + DemoMessage.SPARE_OFFSET, 0L);
            publisher.commit(position);
            sequence++;
        }
        return sequence;
    }

    private static void sendEnd(Publisher publisher, long id, long sent) {
        byte[] end = new byte[DemoMessage.LENGTH];
        MemorySegment message = MemorySegment.ofArray(end);
        message.set(ValueLayout.JAVA_LONG_UNALIGNED, DemoMessage.PUBLISHER_OFFSET, id);
        message.set(ValueLayout.JAVA_LONG_UNALIGNED, DemoMessage.SEQUENCE_OFFSET, DemoMessage.END);
        message.set(ValueLayout.JAVA_LONG_UNALIGNED, DemoMessage.SEND_TIME_OFFSET, System.nanoTime());
        message.set(ValueLayout.JAVA_LONG_UNALIGNED, DemoMessage.SPARE_OFFSET, sent);
        long result;
        while ((result = publisher.offer(end)) < 0 && result != Result.CLOSED && !stopped) {
            Thread.yield();
        }
    }
}
