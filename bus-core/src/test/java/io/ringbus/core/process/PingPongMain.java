package io.ringbus.core.process;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.ring.internal.Memory;
import io.ringbus.core.topic.SubscriberProbes;
import io.ringbus.core.topic.TopicDescriptor;
import io.ringbus.core.topic.TopicFile;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One side of a ping-pong over two topics, one message in flight.
 *
 * <p>{@code --role pong}: subscribes to {@code ping} with {@code --wakeup} (BLOCKING or SIGNAL)
 * and echoes every message to {@code pong}, until the message with sequence -1.
 *
 * <p>{@code --role ping}: {@code --count} times, waits until the pong side is announced as parked
 * on {@code ping} (its topic's parked count, read from shared memory), on every other round also
 * a random 0-100 us more so that it is asleep in the kernel, then sends message i and awaits its
 * echo on {@code pong} (a BLOCKING subscriber) for at most {@code --stall-ms} (default 2000).
 * Prints {@code STALL i} and exits 6 if an echo does not come, {@code BADECHO} and exits 7 if
 * another one does, else {@code DONE roundTrips=N maxMicros=M firstMicros=F maxAfterFirstMicros=X
 * meanMicros=A notParked=P}.
 *
 * <p>Both print {@code READY pid} first, and last {@code STATS slicesSlept=S timeoutWakeups=T
 * lateWakeups=L slowOffers=O} then {@code ROUNDS timeout=[..] late=[..] slowOffers=[..]}: the
 * rounds (message sequence numbers, at most 200 of each) in which their own subscriber was woken
 * by its safety slice with no post ({@code timeout}) or with a post that came too late
 * ({@code late}), and in which their own offer (commit and wake) took 10 ms or more.
 */
final class PingPongMain {
    /** An offer (commit and wake) taking this long may make its wakeup late through no fault of the protocol. */
    private static final long SLOW_OFFER_NANOS = 10_000_000L;
    private static final int LISTED = 200;

    private final List<Integer> timeoutAt = new ArrayList<>();
    private final List<Integer> lateAt = new ArrayList<>();
    private final List<Integer> slowOffersAt = new ArrayList<>();
    private int lastSeq = Integer.MIN_VALUE;
    private byte[] lastPayload = new byte[0];

    private PingPongMain() {
    }

    public static void main(String[] args) {
        ChildSupport.run(args, new PingPongMain()::run);
    }

    private void run(ChildSupport args) throws Exception {
        boolean ping = args.get("role").equals("ping");
        TopicConfig config = args.topicConfig();
        try (Bus bus = Bus.open(args.busContext())) {
            Subscriber subscriber = bus.newSubscriber(ping ? "pong" : "ping", config, new SubscriberConfig()
                .wakeup(ping ? WakeupMode.BLOCKING : WakeupMode.valueOf(args.get("wakeup", "BLOCKING"))));
            Publisher publisher = bus.newPublisher(ping ? "ping" : "pong", config);
            ChildSupport.event("READY " + ProcessHandle.current().pid());
            if (ping) {
                ping(args, subscriber, publisher);
            } else {
                pong(subscriber, publisher);
            }
            ChildSupport.event("STATS slicesSlept=" + SubscriberProbes.slicesSlept(subscriber)
                + " timeoutWakeups=" + SubscriberProbes.timeoutWakeups(subscriber)
                + " lateWakeups=" + SubscriberProbes.lateWakeups(subscriber) + " slowOffers=" + slowOffersAt.size());
            ChildSupport.event("ROUNDS timeout=" + listed(timeoutAt) + " late=" + listed(lateAt)
                + " slowOffers=" + listed(slowOffersAt));
        }
    }

    private static String listed(List<Integer> rounds) {
        return rounds.subList(0, Math.min(LISTED, rounds.size())).toString().replace(" ", "");
    }

    /** Awaits one message, noting the round when the safety slice rather than a wakeup delivered it. */
    private int receive(Subscriber subscriber, long timeoutNanos) {
        long timeouts = SubscriberProbes.timeoutWakeups(subscriber);
        long late = SubscriberProbes.lateWakeups(subscriber);
        int delivered = subscriber.await(this::onMessage, 1, timeoutNanos);
        if (SubscriberProbes.timeoutWakeups(subscriber) != timeouts) {
            timeoutAt.add(lastSeq);
        }
        if (SubscriberProbes.lateWakeups(subscriber) != late) {
            lateAt.add(lastSeq);
        }
        return delivered;
    }

    private void onMessage(int type, java.lang.foreign.MemorySegment buffer, long offset, int length) {
        lastPayload = buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
        lastSeq = ByteBuffer.wrap(lastPayload).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
    }

    private void pong(Subscriber subscriber, Publisher publisher) {
        while (true) {
            if (receive(subscriber, 1_000_000_000L) == 0) {
                continue;
            }
            if (lastSeq == -1) {
                return;
            }
            send(publisher, lastPayload);
        }
    }

    private void ping(ChildSupport args, Subscriber subscriber, Publisher publisher) {
        int count = args.getInt("count", 1000);
        long stallNanos = args.getLong("stall-ms", 2000) * 1_000_000L;
        Path pingPath = TopicFile.pathOf(Path.of(args.get("dir")), "ping");
        long maxNanos = 0;
        long maxAfterFirstNanos = 0;
        long firstNanos = 0;
        long totalNanos = 0;
        int notParked = 0;
        try (TopicFile pingTopic = TopicFile.tryOpen(pingPath, 0600)) {
            for (int i = 0; i < count; i++) {
                if (!awaitParked(pingTopic)) {
                    notParked++;
                }
                if ((i & 1) == 1) {
                    long until = System.nanoTime() + ThreadLocalRandom.current().nextLong(100_000);
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                }
                long start = System.nanoTime();
                send(publisher, Messages.encode(0, i, 1));
                if (receive(subscriber, stallNanos) == 0) {
                    ChildSupport.event("STALL " + i + " no echo within " + stallNanos / 1_000_000 + " ms");
                    ChildSupport.flush();
                    Runtime.getRuntime().halt(6);
                }
                if (lastSeq != i) {
                    ChildSupport.event("BADECHO " + lastSeq + " for " + i);
                    ChildSupport.flush();
                    Runtime.getRuntime().halt(7);
                }
                long roundTrip = System.nanoTime() - start;
                maxNanos = Math.max(maxNanos, roundTrip);
                if (i == 0) {
                    firstNanos = roundTrip;
                } else {
                    maxAfterFirstNanos = Math.max(maxAfterFirstNanos, roundTrip);
                }
                totalNanos += roundTrip;
            }
        }
        send(publisher, Messages.encode(0, -1, 1));
        ChildSupport.event("DONE roundTrips=" + count + " maxMicros=" + maxNanos / 1000 + " firstMicros="
            + firstNanos / 1000 + " maxAfterFirstMicros=" + maxAfterFirstNanos / 1000 + " meanMicros="
            + totalNanos / Math.max(1, count) / 1000 + " notParked=" + notParked);
    }

    /** Spins until the ping topic's subscriber has announced itself parked; false after 2 s. */
    private static boolean awaitParked(TopicFile topic) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (Memory.getIntVolatile(topic.segment(), TopicDescriptor.PARKED_COUNT_OFFSET) <= 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    private void send(Publisher publisher, byte[] message) {
        long result;
        long start = System.nanoTime();
        while ((result = publisher.offer(message)) < 0) {
            if (result != Result.BACK_PRESSURED && result != Result.ADMIN_ACTION) {
                throw new IllegalStateException("offer failed: " + Result.describe(result));
            }
            Thread.onSpinWait();
            start = System.nanoTime();
        }
        if (System.nanoTime() - start >= SLOW_OFFER_NANOS) {
            slowOffersAt.add(ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
        }
    }
}
