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

/**
 * One publisher process of {@code bus demo}: joins the topic, says READY, waits for GO, then
 * publishes {@link DemoMessage}s as fast as the ring lets it for the given seconds, reporting its
 * count four times a second; ends with its END message and DONE. Started by {@link DemoCommand}.
 *
 * <p>Arguments: {@code DIR ID CAPACITY}.
 */
public final class DemoPublisher {
    private static final long REPORT_INTERVAL_NANOS = 250_000_000L;

    private static volatile boolean stopped;
    private static volatile long seconds;

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
                seconds = Long.parseLong(line.substring(ChildProtocol.GO.length() + 1));
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
            long sent = publish(publisher, id, System.nanoTime() + seconds * 1_000_000_000L);
            sendEnd(publisher, id, sent);
            ChildProtocol.report(ChildProtocol.SENT + " " + sent);
            ChildProtocol.report(ChildProtocol.DONE + " " + sent);
        }
    }

    private static long publish(Publisher publisher, long id, long deadline) {
        MemorySegment buffer = publisher.buffer();
        long sequence = 0;
        long nextReport = System.nanoTime() + REPORT_INTERVAL_NANOS;
        while (!stopped) {
            if ((sequence & 1023) == 0) {
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
