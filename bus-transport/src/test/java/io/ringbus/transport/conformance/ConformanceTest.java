package io.ringbus.transport.conformance;

import static io.ringbus.transport.conformance.Messages.HEADER;
import static io.ringbus.transport.conformance.Messages.assertPerPublisherOrder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.LossListener;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.SlowConsumerPolicy;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.conformance.Messages.Collector;
import io.ringbus.transport.conformance.Messages.OfferStats;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The publish/subscribe contract of {@link Publisher} and {@link Subscriber}, the same on every path
 * (issue 4): ordering, no loss under back-pressure, result codes, eviction and durable resumption.
 * The stream-only cases (a bridge going away, malformed frames, churn) are in
 * {@link ConformanceStreamTest}; socket security in {@link ConformanceSecurityTest}.
 */
class ConformanceTest extends AbstractConformanceTest {
    private static final int SMALL_RING = 64 * 1024;
    /** Messages a publisher of case 1 sends between two meetings with the others. */
    private static final int ROUND = 50;

    private static Subscriber subscribe(PathFixture path, String topic, TopicConfig topicConfig,
        SubscriberConfig config) {
        return path.client().newSubscriber(topic, topicConfig, config);
    }

    /**
     * A topic with publish times, created through the path: a message arrives whole on every path; a
     * shared-memory subscriber reads the publish time that whoever wrote into the ring stamped (the bridge, for
     * a stream path), and a stream subscriber reads {@code NO_PUBLISH_TIME}, as frames carry none; the largest
     * message leaves room for the time on every path.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#all")
    void timestampedTopicOnEveryPath(PathFixture fixture) throws Exception {
        PathFixture path = open(fixture);
        TopicConfig topic = new TopicConfig().capacity(SMALL_RING).timestamps(true);
        Subscriber remote = subscribe(path, "stamped", topic, new SubscriberConfig());
        Publisher publisher = path.client().newPublisher("stamped", topic);
        assertEquals(SMALL_RING / 8 - TopicConfig.TIMESTAMP_LENGTH, publisher.maxMessageLength());
        try (Bus local = Bus.open(path.busContext())) {
            Subscriber shm = local.newSubscriber("stamped", topic, new SubscriberConfig()
                .start(StartPosition.EARLIEST));
            long before = System.currentTimeMillis() * 1_000_000L;
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                sent.add(Messages.message(0, i, 16 + i));
                Messages.offer(publisher, sent.get(i), new OfferStats());
            }
            for (Subscriber subscriber : List.of(shm, remote)) {
                List<byte[]> received = new ArrayList<>();
                List<Long> times = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (received.size() < sent.size() && System.nanoTime() < deadline) {
                    subscriber.await((type, buffer, offset, length) -> {
                        received.add(buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
                        times.add(subscriber.publishTime());
                    }, 100, 100_000_000L);
                }
                assertEquals(sent.size(), received.size(), "messages received");
                for (int i = 0; i < sent.size(); i++) {
                    assertArrayEquals(sent.get(i), received.get(i), "message " + i);
                    boolean expectTime = subscriber == shm || !path.isStream();
                    long time = times.get(i);
                    assertTrue(expectTime ? time >= before - 1_000_000L : time == Subscriber.NO_PUBLISH_TIME,
                        (subscriber == shm ? "shared memory" : "the path's") + " subscriber read " + time);
                }
            }
        }
    }

    /**
     * A message's type id, from {@code Publisher.offer(typeId, ...)}, reaches subscribers unchanged on every
     * path: a shared-memory subscriber on the topic and the path's own (through the bridge, in the frame).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#all")
    void typeIdsTravelOnEveryPath(PathFixture fixture) throws Exception {
        PathFixture path = open(fixture);
        TopicConfig topic = new TopicConfig().capacity(SMALL_RING);
        Subscriber remote = subscribe(path, "typed", topic, new SubscriberConfig());
        Publisher publisher = path.client().newPublisher("typed", topic);
        try (Bus local = Bus.open(path.busContext())) {
            Subscriber shm = local.newSubscriber("typed", topic, new SubscriberConfig().start(StartPosition.EARLIEST));
            // The first five offered, the last three claimed and written in place (tryClaim(typeId, length)).
            int[] types = {7, 0, Integer.MAX_VALUE, 0x4C4F5353, 1, 9, 0, 0x7FFF0000};
            int offered = 5;
            for (int i = 0; i < types.length; i++) {
                java.lang.foreign.MemorySegment payload = java.lang.foreign.MemorySegment.ofArray(
                    Messages.message(0, i, 16));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (i < offered ? publisher.offer(types[i], payload, 0, 16) < 0
                    : !claimed(publisher, types[i], payload)) {
                    assertTrue(System.nanoTime() < deadline, "message " + i + " was not taken");
                    Thread.onSpinWait();
                }
            }
            for (Subscriber subscriber : List.of(shm, remote)) {
                List<Integer> received = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (received.size() < types.length && System.nanoTime() < deadline) {
                    subscriber.await((type, buffer, offset, length) -> received.add(type), 100, 100_000_000L);
                }
                assertEquals(java.util.Arrays.stream(types).boxed().toList(), received,
                    subscriber == shm ? "types in the topic" : "types through the path");
            }
            assertThrows(IllegalArgumentException.class, () -> publisher.offer(-3,
                java.lang.foreign.MemorySegment.ofArray(new byte[1]), 0, 1));
            assertThrows(IllegalArgumentException.class, () -> publisher.tryClaim(-3, 1));
        }
    }

    /** Claims a message of {@code typeId}, copies {@code payload} in and commits; false when not claimed now. */
    private static boolean claimed(Publisher publisher, int typeId, java.lang.foreign.MemorySegment payload) {
        long position = publisher.tryClaim(typeId, (int) payload.byteSize());
        if (position < 0) {
            return false;
        }
        java.lang.foreign.MemorySegment.copy(payload, 0, publisher.buffer(), publisher.payloadOffset(position),
            payload.byteSize());
        publisher.commit(position);
        return true;
    }

    /** Case 1: each publisher's order is kept, and two subscribers see one and the same total order. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#all")
    void totalOrderAcrossPublishers(PathFixture fixture) throws Exception {
        PathFixture path = open(fixture);
        int publishers = 3;
        int perPublisher = 4_000;
        TopicConfig topic = new TopicConfig();
        Subscriber first = subscribe(path, "order", topic, new SubscriberConfig().start(StartPosition.EARLIEST));
        Subscriber second = subscribe(path, "order", topic, new SubscriberConfig().start(StartPosition.EARLIEST));
        List<Publisher> senders = new ArrayList<>();
        for (int i = 0; i < publishers; i++) {
            senders.add(path.client().newPublisher("order", topic));
        }
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        try {
            OfferStats stats = new OfferStats();
            List<Future<?>> running = new ArrayList<>();
            CyclicBarrier round = new CyclicBarrier(publishers);
            for (int i = 0; i < publishers; i++) {
                int id = i;
                running.add(pool.submit(() -> {
                    for (int sequence = 0; sequence < perPublisher; sequence += ROUND) {
                        round.await(10, TimeUnit.SECONDS); // rounds in step, so the publishers interleave
                        Messages.publish(senders.get(id), id, sequence, ROUND, 40, stats);
                    }
                    return null;
                }));
            }
            Collector one = new Collector();
            Collector two = new Collector();
            int total = publishers * perPublisher;
            long deadline = System.nanoTime() + Messages.PATIENCE_NANOS;
            while ((one.count() < total || two.count() < total) && System.nanoTime() - deadline < 0) {
                first.poll(one, 256);
                second.poll(two, 256);
                Thread.onSpinWait();
            }
            for (Future<?> publisher : running) {
                publisher.get(10, TimeUnit.SECONDS);
            }
            assertEquals(total, one.count(), "first subscriber's messages");
            assertEquals(total, two.count(), "second subscriber's messages");
            assertEquals(0, one.badPayloads() + two.badPayloads(), "damaged payloads");
            assertPerPublisherOrder(one.keys(), publishers, perPublisher);
            assertArrayEquals(one.keys(), two.keys(), "the two subscribers saw different orders");
            assertTrue(interleaved(one.keys()), "the publishers never interleaved: the total order was not tested");
        } finally {
            pool.shutdownNow();
        }
    }

    private static boolean interleaved(long[] keys) {
        int switches = 0;
        for (int i = 1; i < keys.length; i++) {
            if (Messages.publisherOf(keys[i]) != Messages.publisherOf(keys[i - 1])) {
                switches++;
            }
        }
        return switches > 2;
    }

    /**
     * Case 2: a live tethered subscriber that reads slowly loses nothing; the publishers are held back
     * instead, and learn it as BACK_PRESSURED (through the bridge and both streams' windows on a stream
     * path). Each publisher sends at least {@code perPublisher} messages and goes on, in chunks, until
     * one offer was refused: on TCP the kernel's buffers alone (tcp_rmem may grow to 32 MiB a socket)
     * can hold more than a fixed count, and then nobody would be pushed back.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#all")
    void slowTetheredSubscriberLosesNothing(PathFixture fixture) throws Exception {
        PathFixture path = open(fixture);
        int publishers = 2;
        int perPublisher = 12_000;
        TopicConfig topic = new TopicConfig().capacity(SMALL_RING);
        Subscriber slow = subscribe(path, "slow", topic, new SubscriberConfig());
        List<Publisher> senders = new ArrayList<>();
        for (int i = 0; i < publishers; i++) {
            senders.add(path.client().newPublisher("slow", topic));
        }
        int chunk = 2_000;
        int mostPerPublisher = 200_000;
        OfferStats stats = new OfferStats();
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        try {
            List<Future<Integer>> running = new ArrayList<>();
            for (int i = 0; i < publishers; i++) {
                int id = i;
                running.add(pool.submit(() -> {
                    int sent = 0;
                    while (sent < perPublisher || stats.backPressured.get() == 0 && sent < mostPerPublisher) {
                        Messages.publish(senders.get(id), id, sent, chunk, 512, stats);
                        sent += chunk;
                    }
                    return sent;
                }));
            }
            Collector got = new Collector();
            long deadline = System.nanoTime() + Messages.PATIENCE_NANOS;
            int[] sent = new int[publishers];
            int total = -1;
            while ((total < 0 || got.count() < total) && System.nanoTime() - deadline < 0) {
                slow.poll(got, 64);
                Thread.sleep(1);
                if (total < 0 && running.stream().allMatch(Future::isDone)) {
                    total = 0;
                    for (int i = 0; i < publishers; i++) {
                        sent[i] = running.get(i).get();
                        total += sent[i];
                    }
                }
            }
            assertTrue(total >= publishers * perPublisher, "the publishers did not finish: " + total);
            assertEquals(total, got.count(), "messages received");
            assertEquals(0, got.badPayloads(), "damaged payloads");
            assertPerPublisherOrder(got.keys(), sent);
            assertTrue(stats.backPressured.get() > 0, "the publishers never saw BACK_PRESSURED");
            assertEquals(0, stats.notConnected.get(), "NOT_CONNECTED while the path was up");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Batching publishers (every path; a no-op on shm) lose nothing and keep order under back-pressure,
     * and a short burst followed by silence still arrives: the background flusher writes what no later
     * offer pushes out.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#all")
    void batchingPublishersLoseNothing(PathFixture fixture) throws Exception {
        PathFixture path = open(fixture);
        path.batching(true);
        TopicConfig topic = new TopicConfig().capacity(SMALL_RING);
        Subscriber subscriber = subscribe(path, "batched", topic, new SubscriberConfig());
        Publisher publisher = path.client().newPublisher("batched", topic);
        OfferStats stats = new OfferStats();
        Messages.publish(publisher, 0, 0, 3, 64, stats);
        Collector got = new Collector();
        Messages.receive(subscriber, got, 3);
        int burst = 20_000;
        Thread sender = Thread.ofPlatform().start(() -> Messages.publish(publisher, 0, 3, burst, 256, stats));
        Messages.receive(subscriber, got, 3 + burst);
        sender.join(10_000);
        assertEquals(0, got.badPayloads(), "damaged payloads");
        assertPerPublisherOrder(got.keys(), 1, 3 + burst);
    }

    /**
     * Case 3: result codes and the zero-copy claim. The longest message is taken whole, a longer one is
     * an IllegalArgumentException; a committed claim is delivered as written, an aborted one is not,
     * and the message after it is; after close, CLOSED.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#all")
    void resultCodesAndClaims(PathFixture fixture) {
        PathFixture path = open(fixture);
        TopicConfig topic = new TopicConfig().capacity(SMALL_RING);
        Subscriber subscriber = subscribe(path, "codes", topic, new SubscriberConfig());
        Publisher publisher = path.client().newPublisher("codes", topic);
        int max = publisher.maxMessageLength();
        assertEquals(SMALL_RING / 8, max, "maxMessageLength of a 64 KiB topic (capacity / 8)");
        OfferStats stats = new OfferStats();

        Messages.offer(publisher, Messages.message(0, 0, max), stats);
        assertThrows(IllegalArgumentException.class, () -> publisher.offer(new byte[max + 1]));
        assertThrows(IllegalArgumentException.class, () -> publisher.tryClaim(max + 1));
        assertThrows(IllegalArgumentException.class,
            () -> publisher.offer(MemorySegment.ofArray(new byte[max + 1]), 0, max + 1));

        byte[] claimed = Messages.message(0, 1, 100);
        long position = claim(publisher, claimed.length);
        MemorySegment.copy(claimed, 0, publisher.buffer(), ValueLayout.JAVA_BYTE, publisher.payloadOffset(position),
            claimed.length);
        publisher.commit(position);

        long withdrawn = claim(publisher, 64);
        MemorySegment.copy(Messages.message(0, 99, 64), 0, publisher.buffer(), ValueLayout.JAVA_BYTE,
            publisher.payloadOffset(withdrawn), 64);
        publisher.abort(withdrawn);
        Messages.offer(publisher, Messages.message(0, 2, HEADER), stats);

        Collector got = new Collector();
        Messages.receive(subscriber, got, 3);
        Messages.linger(subscriber, got, 50_000_000L);
        assertArrayEquals(new long[] {Messages.key(0, 0), Messages.key(0, 1), Messages.key(0, 2)}, got.keys(),
            "the longest message, the committed claim, then the message after the aborted claim");
        assertEquals(0, got.badPayloads(), "damaged payloads");

        publisher.close();
        assertEquals(Result.CLOSED, publisher.offer(new byte[8]), "offer after close");
        assertEquals(Result.CLOSED, publisher.tryClaim(8), "tryClaim after close");
        publisher.close();
        subscriber.close();
        assertEquals(0, subscriber.poll(got, 10), "poll after close");
    }

    /**
     * Case 3, continued: close() from another thread ends an await early (the Subscriber contract), for
     * a plain and a durable subscriber (whose close says BYE on a stream path while the await reads).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#all")
    void closeFromAnotherThreadEndsAwait(PathFixture fixture) throws Exception {
        PathFixture path = open(fixture);
        TopicConfig topic = new TopicConfig().capacity(SMALL_RING);
        Publisher publisher = path.client().newPublisher("closing", topic);
        for (SubscriberConfig config : List.of(new SubscriberConfig(), new SubscriberConfig().durableName("closing"))) {
            Subscriber subscriber = subscribe(path, "closing", topic, config);
            Messages.publish(publisher, 0, 0, 1, 64, new OfferStats());
            Collector got = new Collector();
            Messages.receive(subscriber, got, 1);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                CountDownLatch waiting = new CountDownLatch(1);
                Future<Integer> awaiting = pool.submit(() -> {
                    waiting.countDown();
                    return subscriber.await(got, 10, 60_000_000_000L);
                });
                waiting.await();
                Thread.sleep(20);
                subscriber.close();
                assertEquals(0, awaiting.get(10, TimeUnit.SECONDS), "await after close, durable "
                    + (config.durableName() != null));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static long claim(Publisher publisher, int length) {
        long deadline = System.nanoTime() + Messages.PATIENCE_NANOS;
        long position;
        while ((position = publisher.tryClaim(length)) < 0) {
            assertTrue(position == Result.BACK_PRESSURED || position == Result.ADMIN_ACTION,
                "tryClaim returned " + Result.describe(position));
            assertTrue(System.nanoTime() - deadline < 0, "tryClaim refused for too long");
            Thread.onSpinWait();
        }
        return position;
    }

    /**
     * Case 4: an evictable subscriber that stops reading is evicted instead of holding the publisher
     * back, is told what it lost, and receives again afterwards; a tethered one on the same topic loses
     * nothing.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#all")
    void slowEvictableSubscriberIsEvicted(PathFixture fixture) throws Exception {
        PathFixture path = open(fixture);
        TopicConfig topic = new TopicConfig().capacity(SMALL_RING);
        List<long[]> losses = new CopyOnWriteArrayList<>();
        LossListener recorder = (from, to, bytes) -> losses.add(new long[] {from, to, bytes});
        Subscriber evictable = subscribe(path, "evict", topic, new SubscriberConfig()
            .slowConsumerPolicy(SlowConsumerPolicy.EVICT).evictAfter(Duration.ofMillis(100)).lossListener(recorder));
        Subscriber tethered = subscribe(path, "evict", topic, new SubscriberConfig());
        Publisher publisher = path.client().newPublisher("evict", topic);
        int count = 40_000;
        int length = 256;
        OfferStats stats = new OfferStats();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> sending = pool.submit(() -> Messages.publish(publisher, 0, 0, count, length, stats));
            Collector all = new Collector();
            Messages.receive(tethered, all, count);
            sending.get(10, TimeUnit.SECONDS);
            assertPerPublisherOrder(all.keys(), 1, count);
            assertEquals(0, all.badPayloads(), "damaged payloads");
        } finally {
            pool.shutdownNow();
        }
        assertTrue(losses.isEmpty(), "loss reported before the evicted subscriber polled");
        Collector late = new Collector();
        long deadline = System.nanoTime() + Messages.PATIENCE_NANOS;
        while (late.last() != Messages.key(0, count - 1) && System.nanoTime() - deadline < 0) {
            evictable.await(late, 256, 10_000_000L);
        }
        assertEquals(Messages.key(0, count - 1), late.last(), "the evicted subscriber missed the last message");
        assertTrue(late.count() < count, "the evictable subscriber missed nothing: it was never evicted");
        assertEquals(0, late.badPayloads(), "damaged payloads");
        long[] keys = late.keys();
        for (int i = 1; i < keys.length; i++) {
            assertTrue(keys[i] > keys[i - 1], "out of order or repeated after the eviction at " + i);
        }
        assertTrue(!losses.isEmpty(), "the LossListener was not told");
        for (long[] loss : losses) {
            assertTrue(loss[2] > 0, "bytes missed must be positive");
            assertTrue(loss[1] > loss[0], "a loss resumes after where it started");
        }
        long reported = losses.stream().mapToLong(loss -> loss[2]).sum();
        assertEquals(reported, evictable.missedBytes(), "missedBytes() is the sum of the losses reported");
        assertTrue(reported >= (long) (count - late.count()) * (length + 8), "fewer bytes reported missed ("
            + reported + ") than the " + (count - late.count()) + " messages missed take");
    }

    /**
     * Case 4b: a durable evictable subscriber evicted while it was away is told, as it comes back under
     * its name, what it missed, and then receives what follows. (The bridge once met that notice before
     * it had a frame writer for the session, and the session died with a NullPointerException.)
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#all")
    void durableSubscriberEvictedWhileAwayIsToldWhatItMissed(PathFixture fixture) {
        PathFixture path = open(fixture);
        TopicConfig topic = new TopicConfig().capacity(SMALL_RING);
        List<long[]> losses = new CopyOnWriteArrayList<>();
        SubscriberConfig durable = new SubscriberConfig().durableName("away").start(StartPosition.EARLIEST)
            .slowConsumerPolicy(SlowConsumerPolicy.EVICT).evictAfter(Duration.ofMillis(50))
            .lossListener((from, to, bytes) -> losses.add(new long[] {from, to, bytes}));
        subscribe(path, "away", topic, durable).close();
        Publisher publisher = path.client().newPublisher("away", topic);
        OfferStats stats = new OfferStats();
        try (Bus local = Bus.open(path.busContext());
             Subscriber observer = local.newSubscriber("away", topic, new SubscriberConfig()
                 .slowConsumerPolicy(SlowConsumerPolicy.EVICT).evictAfter(Duration.ofMillis(50)))) {
            Messages.publish(publisher, 0, 0, 4 * SMALL_RING / 256, 256, stats); // four rings' worth: evicts it
            // A stream publisher's offers reach the ring later: wait until the last one is in it.
            Collector seen = new Collector();
            long deadline = System.nanoTime() + Messages.PATIENCE_NANOS;
            while (seen.last() != Messages.key(0, 4 * SMALL_RING / 256 - 1) && System.nanoTime() - deadline < 0) {
                observer.await(seen, 256, 10_000_000L);
            }
        }
        Subscriber back = subscribe(path, "away", topic, durable);
        Messages.publish(publisher, 0, 4 * SMALL_RING / 256, 10, 256, stats);
        Collector got = new Collector();
        long deadline = System.nanoTime() + Messages.PATIENCE_NANOS;
        while (got.last() != Messages.key(0, 4 * SMALL_RING / 256 + 9) && System.nanoTime() - deadline < 0) {
            back.await(got, 256, 10_000_000L);
        }
        assertEquals(Messages.key(0, 4 * SMALL_RING / 256 + 9), got.last(), "the last message after coming back");
        assertEquals(0, got.badPayloads(), "damaged payloads");
        assertTrue(got.count() < 4 * SMALL_RING / 256 + 10, "nothing was missed: it was never evicted");
        assertTrue(!losses.isEmpty(), "the LossListener was not told of the eviction");
        back.close();
    }

    /**
     * Case 5: a durable subscriber closed cleanly and opened again under its name resumes after the last
     * message it received: nothing lost, nothing repeated, though messages were published meanwhile.
     * (On a stream path a crash may lose the messages in flight in the socket; a clean close may not.)
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#all")
    void durableSubscriberResumes(PathFixture fixture) {
        PathFixture path = open(fixture);
        TopicConfig topic = new TopicConfig().capacity(SMALL_RING);
        SubscriberConfig durable = new SubscriberConfig().durableName("audit").start(StartPosition.EARLIEST);
        Publisher publisher = path.client().newPublisher("durable", topic);
        OfferStats stats = new OfferStats();
        Collector got = new Collector();
        for (int round = 0; round < 3; round++) {
            Subscriber subscriber = subscribe(path, "durable", topic, durable);
            Messages.publish(publisher, 0, round * 300L, 200, 64, stats);
            Messages.receive(subscriber, got, round * 300 + 200);
            subscriber.close();
            Messages.publish(publisher, 0, round * 300L + 200, 100, 64, stats);
        }
        Subscriber last = subscribe(path, "durable", topic, durable);
        Messages.receive(last, got, 900);
        Messages.linger(last, got, 50_000_000L);
        assertEquals(0, got.badPayloads(), "damaged payloads");
        assertPerPublisherOrder(got.keys(), 1, 900);
    }

    /**
     * Case 6: with explicit commits, what a durable subscriber consumed is what it committed, not what
     * it was given: a successor resumes right after the last commit, so the messages delivered after it
     * come again (here a close without a commit stands for a crash between output and commit), and
     * nothing committed comes again. On a stream path the client's COMMIT frames move the bridge's cursor
     * to the end of exactly the message they name, however many the bridge had sent ahead.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#all")
    void explicitCommitResumesAtTheLastCommit(PathFixture fixture) {
        PathFixture path = open(fixture);
        TopicConfig topic = new TopicConfig().capacity(1 << 20);
        SubscriberConfig durable = new SubscriberConfig().durableName("ledger").start(StartPosition.EARLIEST)
            .explicitCommit(true);
        Publisher publisher = path.client().newPublisher("ledger", topic);
        OfferStats stats = new OfferStats();
        Subscriber first = subscribe(path, "ledger", topic, durable);
        Messages.publish(publisher, 0, 0, 10_000, 64, stats);
        Collector firstGot = new Collector();
        Messages.receiveExactly(first, firstGot, 3_000);
        first.commit();
        Messages.receiveExactly(first, firstGot, 10_000);
        first.close(); // 7,000 delivered, never committed

        Subscriber second = subscribe(path, "ledger", topic, durable);
        Messages.publish(publisher, 0, 10_000, 10, 64, stats);
        Collector secondGot = new Collector();
        Messages.receiveExactly(second, secondGot, 7_010);
        second.commit();
        Messages.linger(second, secondGot, 50_000_000L);
        second.close();

        Subscriber third = subscribe(path, "ledger", topic, durable);
        Collector thirdGot = new Collector();
        Messages.linger(third, thirdGot, 100_000_000L);
        third.close();

        assertEquals(0, firstGot.badPayloads() + secondGot.badPayloads() + thirdGot.badPayloads(), "damaged payloads");
        assertPerPublisherOrder(firstGot.keys(), 1, 10_000);
        long[] again = secondGot.keys();
        assertEquals(7_010, again.length, "the successor got the 7,000 uncommitted messages again, then 10 new ones");
        for (int i = 0; i < again.length; i++) {
            assertEquals(Messages.key(0, 3_000 + i), again[i], "message " + i + " of the successor");
        }
        assertEquals(0, thirdGot.count(), "nothing after a commit of everything delivered");
    }
}
