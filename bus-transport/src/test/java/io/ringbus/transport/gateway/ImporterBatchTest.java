package io.ringbus.transport.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.topic.ShmSubscriber;
import io.ringbus.core.topic.TopicFile;
import io.ringbus.core.topic.WakeupProtocol;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The importer's side of the batch layout ({@link GatewayHeaderDescriptor}), fed batches an {@link ExportBatch}
 * builds and batches built by hand to be wrong: every message of a batch is published in order; a batch seen
 * again is dropped as repeats; a gap gets its loss notice; a batch the full local topic cannot take is aborted
 * and, delivered again, publishes the rest without counting repeats; and a malformed or hostile batch is dropped
 * whole, never read out of its bounds.
 */
@Tag("aeron") // Agrona's buffers need the aeron-test execution's JVM flag (see this module's pom)
class ImporterBatchTest {
    private static final long SOURCE = 77;
    private Path root;
    private Bus bus;
    private Publisher publisher;
    private Subscriber subscriber;
    private ImportPosition position;
    private final RouteStats stats = new RouteStats();
    private final List<String> log = new ArrayList<>();
    private Importer importer;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createTempDirectory(Path.of("/dev/shm"), "rb-importer-batch-");
        bus = Bus.open(new BusContext().directory(root));
        TopicConfig small = new TopicConfig().capacity(64 << 10).wakeup(true);
        subscriber = bus.newSubscriber("t", small, new SubscriberConfig().start(StartPosition.EARLIEST));
        publisher = bus.newPublisher("t", small);
        Route route = Route.of("t", "aeron:udp?endpoint=127.0.0.1:40999");
        position = ImportPosition.open(root, route);
        importer = new Importer(route, null, publisher, stats, (from, to, missed) -> { }, log::add, position);
    }

    @AfterEach
    void tearDown() throws IOException {
        position.close();
        bus.close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    /** Messages numbered from {@code first}, each {@code size} bytes, 100 ring bytes apart from {@code from}. */
    private static ExportBatch batch(long from, long first, int count, int size) {
        ExportBatch batch = new ExportBatch();
        UnsafeBuffer payload = new UnsafeBuffer(new byte[size]);
        long at = from;
        for (int i = 0; i < count; i++) {
            payload.putLong(0, first + i);
            batch.add(SOURCE, at, 0, at + 100, payload, size);
            at += 100;
        }
        return batch;
    }

    private Action deliver(ExportBatch batch) {
        return importer.onFragment(batch.buffer(), 0, batch.length(), null);
    }

    /** Numbers of the messages in the topic (loss notices as -1). */
    private List<Long> received() {
        List<Long> numbers = new ArrayList<>();
        while (subscriber.poll((type, buffer, offset, length) -> numbers.add(type == Importer.LOSS_NOTICE_TYPE ? -1
            : buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset)), 100) > 0) {
            // until empty
        }
        return numbers;
    }

    @Test
    void publishesEveryMessageOfABatchInOrderAndDropsTheBatchSeenAgain() {
        assertEquals(Action.CONTINUE, deliver(batch(0, 0, 3, 40)));
        assertEquals(List.of(0L, 1L, 2L), received());
        assertEquals(Action.CONTINUE, deliver(batch(0, 0, 3, 40)));
        assertEquals(List.of(), received(), "a repeated batch publishes nothing");
        assertEquals(3, stats.repeats());
        assertEquals(Action.CONTINUE, deliver(batch(300, 3, 2, 8)));
        assertEquals(List.of(3L, 4L), received());
    }

    @Test
    void aGapGetsItsLossNoticeBeforeTheNextMessage() {
        deliver(batch(0, 0, 1, 16));
        received();
        assertEquals(Action.CONTINUE, deliver(batch(500, 5, 1, 16)));
        assertEquals(List.of(-1L, 5L), received());
        assertEquals(400, stats.lostBytes());
    }

    @Test
    void aBatchTheFullTopicCannotTakeIsAbortedAndDeliveredAgainPublishesTheRestWithoutRepeats() {
        // 64 KiB ring, 1 KiB messages: a batch of 100 cannot fit while nobody reads.
        ExportBatch big = batch(0, 0, 100, 1024);
        assertEquals(Action.ABORT, deliver(big));
        List<Long> first = received();
        assertTrue(!first.isEmpty() && first.size() < 100, "part of it went in: " + first.size());
        Action again;
        List<Long> all = new ArrayList<>(first);
        while ((again = deliver(big)) == Action.ABORT) {
            all.addAll(received());
        }
        assertEquals(Action.CONTINUE, again);
        all.addAll(received());
        assertEquals(100, all.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(i, all.get(i), "in order, each once");
        }
        assertEquals(0, stats.repeats(), "its own redelivery is no repeat");
    }

    @Test
    void aMalformedOrHostileBatchIsDroppedWholeAndNothingIsPublished() {
        ExportBatch good = batch(0, 0, 2, 24);
        int length = good.length();
        List<byte[]> bad = new ArrayList<>();
        bad.add(copy(good, length - 8, b -> { })); // truncated
        bad.add(copy(good, length, b -> b.putInt(GatewayHeaderDescriptor.COUNT_OFFSET, 3,
            GatewayHeaderDescriptor.BYTE_ORDER)));
        bad.add(copy(good, length, b -> b.putInt(GatewayHeaderDescriptor.COUNT_OFFSET, 0,
            GatewayHeaderDescriptor.BYTE_ORDER)));
        bad.add(copy(good, length, b -> b.putInt(GatewayHeaderDescriptor.COUNT_OFFSET, Integer.MAX_VALUE,
            GatewayHeaderDescriptor.BYTE_ORDER)));
        bad.add(copy(good, length, b -> b.putInt(GatewayHeaderDescriptor.BATCH_HEADER_LENGTH
            + GatewayHeaderDescriptor.ENTRY_LENGTH_OFFSET, -1, GatewayHeaderDescriptor.BYTE_ORDER)));
        bad.add(copy(good, length, b -> b.putInt(GatewayHeaderDescriptor.BATCH_HEADER_LENGTH
            + GatewayHeaderDescriptor.ENTRY_LENGTH_OFFSET, Integer.MAX_VALUE, GatewayHeaderDescriptor.BYTE_ORDER)));
        // The second entry's type negative (the ring's own types): publishing it would throw on the gateway thread.
        bad.add(copy(good, length, b -> b.putInt(GatewayHeaderDescriptor.BATCH_HEADER_LENGTH
            + GatewayHeaderDescriptor.entryLength(24) + GatewayHeaderDescriptor.ENTRY_TYPE_OFFSET, -1,
            GatewayHeaderDescriptor.BYTE_ORDER)));
        bad.add(copy(good, length, b -> b.putInt(GatewayHeaderDescriptor.MAGIC_OFFSET, 0x01474252,
            GatewayHeaderDescriptor.BYTE_ORDER))); // layout version 1
        bad.add(new byte[3]);
        for (byte[] message : bad) {
            assertEquals(Action.CONTINUE, importer.onFragment(new UnsafeBuffer(message), 0, message.length, null));
        }
        assertEquals(List.of(), received(), "nothing of a malformed batch is published");
        assertEquals(bad.size(), stats.dropped());
        assertEquals(Action.CONTINUE, deliver(good));
        assertEquals(List.of(0L, 1L), received(), "the importer goes on with well-formed batches");
    }

    /**
     * The importer commits a fragment's messages without looking for parked subscribers, then looks once at the
     * fragment's end: a subscriber announced parked (as {@code await} does before its last poll) is posted by
     * every fragment that published anything, whether published whole or aborted part way (the ring full), and
     * a fragment of repeats only posts nobody. Without that look (a wake lost) its wake word stays 0, and a
     * BLOCKING subscriber sleeps on with the messages in the ring.
     */
    @Test
    void aParkedSubscriberIsPostedByEveryFragmentThatPublished() {
        MemorySegment ring = publisher.buffer();
        long slot = RingDescriptor.cursorOffset(((ShmSubscriber) subscriber).slotIndex());
        try (TopicFile topic = TopicFile.tryOpen(TopicFile.pathOf(root, "t"), 0600)) {
            MemorySegment header = topic.segment();
            long from = 0;
            for (int round = 0; round < 3; round++) {
                WakeupProtocol.announceParked(ring, slot, header);
                assertEquals(Action.CONTINUE, deliver(batch(from, round * 16L, 16, 40)));
                assertEquals(1, WakeupProtocol.wakeWord(ring, slot), "a parked subscriber was not woken");
                assertTrue(WakeupProtocol.withdrawParked(ring, slot, header));
                assertEquals(16, received().size());
                from += 1600;
            }
            WakeupProtocol.announceParked(ring, slot, header);
            assertEquals(Action.CONTINUE, deliver(batch(0, 0, 16, 40)));
            assertEquals(0, WakeupProtocol.wakeWord(ring, slot), "repeats published nothing, posted nobody");
            assertTrue(!WakeupProtocol.withdrawParked(ring, slot, header));
            // 64 KiB ring, 1 KiB messages: part of this batch goes in, then the full ring aborts it.
            WakeupProtocol.announceParked(ring, slot, header);
            assertEquals(Action.ABORT, deliver(batch(from, 48, 100, 1024)));
            assertEquals(1, WakeupProtocol.wakeWord(ring, slot), "the part of an aborted batch woke nobody");
            assertTrue(WakeupProtocol.withdrawParked(ring, slot, header));
            assertTrue(!received().isEmpty());
        }
    }

    /**
     * A batch the ring has room for only in part goes in as far as it fits, the fragment is aborted, and
     * delivered again once there is room the rest goes in: in order, each once, no repeats counted.
     */
    @Test
    void aBatchTheRingHasRoomForInPartGoesInAsFarAsItFits() {
        // 64 KiB ring, records of 1,040 bytes: 12 batches of 5 fit, and 3 messages of the 13th (63 records).
        int batches = 0;
        long from = 0;
        while (deliver(batch(from, batches * 5L, 5, 1024)) == Action.CONTINUE) {
            batches++;
            from += 500;
            assertTrue(batches < 100, "a 64 KiB ring never took 100 KiB");
        }
        List<Long> all = new ArrayList<>(received());
        assertEquals(batches * 5 + 3, all.size(), "the part of the 13th batch that fits went in");
        assertEquals(Action.CONTINUE, deliver(batch(from, batches * 5L, 5, 1024)), "room again: the rest goes in");
        all.addAll(received());
        assertEquals(batches * 5 + 5, all.size());
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i, all.get(i), "in order, each once");
        }
        assertEquals(0, stats.repeats(), "its own redelivery is no repeat");
    }

    /**
     * A message longer than the local topic takes, between two that fit, in one batch: the message is dropped with
     * its loss notice where it stood, the others are published whole, and the messages after them are read back
     * intact (nothing was written past a record).
     */
    @Test
    void aMessageOverTheLocalMaximumInsideABatchIsDroppedWithItsNotice() {
        int tooLong = publisher.maxMessageLength() + 8;
        ExportBatch batch = new ExportBatch();
        batch.add(SOURCE, 0, 0, 100, numbered(0, 40), 40);
        batch.add(SOURCE, 100, 0, 200 + tooLong, new UnsafeBuffer(new byte[tooLong]), tooLong);
        batch.add(SOURCE, 200 + tooLong, 0, 300 + tooLong, numbered(2, 40), 40);
        assertEquals(Action.CONTINUE, deliver(batch));
        assertEquals(Action.CONTINUE, deliver(batch(300 + tooLong, 3, 16, 40)));
        List<Long> expected = new ArrayList<>(List.of(0L, -1L, 2L));
        for (long i = 3; i < 19; i++) {
            expected.add(i);
        }
        assertEquals(expected, received());
        assertEquals(1, stats.dropped());
        assertEquals(100 + tooLong, stats.lostBytes());
    }

    /**
     * A batch whose positions do not rise from entry to entry (no exporter sends one): the entry at or below the
     * last position is dropped as a repeat, the others published.
     */
    @Test
    void aBatchWhosePositionsDoNotRiseGoesMessageByMessage() {
        ExportBatch batch = new ExportBatch();
        batch.add(SOURCE, 0, 0, 100, numbered(0, 24), 24);
        batch.add(SOURCE, 100, 0, 50, numbered(1, 24), 24);
        batch.add(SOURCE, 50, 0, 300, numbered(2, 24), 24);
        assertEquals(Action.CONTINUE, deliver(batch));
        assertEquals(List.of(0L, 2L), received());
        assertEquals(1, stats.repeats());
    }

    /** On a topic with publish times, each message of a batch gets one, and its payload whole. */
    @Test
    void aBatchIntoATimestampedTopicStampsEveryMessage() throws IOException {
        TopicConfig stamped = new TopicConfig().capacity(64 << 10).timestamps(true);
        Subscriber reader = bus.newSubscriber("ts", stamped, new SubscriberConfig().start(StartPosition.EARLIEST));
        Route route = Route.of("ts", "aeron:udp?endpoint=127.0.0.1:40998");
        try (Publisher writer = bus.newPublisher("ts", stamped);
             ImportPosition stampedPosition = ImportPosition.open(root, route)) {
            Importer stampedImporter = new Importer(route, null, writer, stats, (from, to, missed) -> { }, log::add,
                stampedPosition);
            long before = System.currentTimeMillis() * 1_000_000L;
            ExportBatch batch = batch(0, 0, 16, 40);
            assertEquals(Action.CONTINUE, stampedImporter.onFragment(batch.buffer(), 0, batch.length(), null));
            long after = System.currentTimeMillis() * 1_000_000L + 1_000_000L;
            List<Long> numbers = new ArrayList<>();
            reader.poll((type, buffer, offset, length) -> {
                assertEquals(40, length);
                long stamp = reader.publishTime();
                assertTrue(stamp >= before - 1_000_000L && stamp <= after, "publish time " + stamp);
                numbers.add(buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset));
            }, 100);
            assertEquals(LongStream.range(0, 16).boxed().toList(), numbers);
        }
    }

    /**
     * The import path (a fragment's checks, the claims, the copies, commits, the position file, the wake and the
     * stats) allocates nothing per message once warm. Rounds of 20,000 fragments of 16 messages (320,000 messages)
     * on this thread, between a subscriber's polls: the first rounds allocate while the JIT compiles (measured:
     * 232,728 bytes, then 13,480 in the second round, then 0), so it warms up until a whole round allocates under
     * 1 KiB (at most 20 rounds), then measures one more round: under 1 KiB. One 16-byte object per message would
     * be 5,120,000 bytes a round.
     */
    @Test
    void theImportPathAllocatesNothingPerMessage() {
        com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
            "this JVM does not count allocated bytes per thread");
        ExportBatch[] batches = new ExportBatch[4];
        for (int i = 0; i < batches.length; i++) {
            batches[i] = batch(0, 0, 16, 64);
        }
        long[] sum = new long[1];
        io.ringbus.core.ring.MessageHandler drain = (type, buffer, offset, length) -> sum[0] += length;
        long[] from = {0};
        int rounds = 1;
        long allocated = importRound(threads, batches, drain, from);
        while (allocated >= 1024 && rounds < 20) {
            allocated = importRound(threads, batches, drain, from);
            rounds++;
        }
        // The least of three measured rounds: a one-off (a late compilation's 13 KB, seen when this class ran
        // alone) lands in one round, an allocation per message (5 MB a round for one small object) in all.
        long[] measured = new long[3];
        for (int i = 0; i < measured.length; i++) {
            measured[i] = importRound(threads, batches, drain, from);
            rounds++;
        }
        allocated = java.util.Arrays.stream(measured).min().orElseThrow();
        assertEquals(rounds * 20_000 * 16 * 64L, sum[0], "every message arrived");
        assertEquals(rounds * 20_000 * 16L, stats.messages());
        assertTrue(allocated < 1024, "320,000 messages imported allocated at least " + allocated
            + " bytes in each of three rounds: " + java.util.Arrays.toString(measured));
    }

    /** 20,000 fragments of 16 messages imported and read: the bytes this thread allocated meanwhile. */
    private long importRound(com.sun.management.ThreadMXBean threads, ExportBatch[] batches,
        io.ringbus.core.ring.MessageHandler drain, long[] from) {
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20_000; i++) {
            ExportBatch batch = batches[i & 3];
            rewrite(batch, from[0]);
            assertEquals(Action.CONTINUE, importer.onFragment(batch.buffer(), 0, batch.length(), null));
            from[0] += 1600;
            while (subscriber.poll(drain, 100) > 0) {
                // until empty
            }
        }
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    /** Moves {@code batch} (of {@link #batch}'s 100-byte spacing) to start at source position {@code from}. */
    private static void rewrite(ExportBatch batch, long from) {
        MutableDirectBuffer buffer = (MutableDirectBuffer) batch.buffer();
        buffer.putLong(GatewayHeaderDescriptor.FROM_POSITION_OFFSET, from, GatewayHeaderDescriptor.BYTE_ORDER);
        int entry = GatewayHeaderDescriptor.BATCH_HEADER_LENGTH;
        for (int i = 0; i < batch.count(); i++) {
            from += 100;
            buffer.putLong(entry + GatewayHeaderDescriptor.ENTRY_TO_POSITION_OFFSET, from,
                GatewayHeaderDescriptor.BYTE_ORDER);
            entry += GatewayHeaderDescriptor.entryLength(
                buffer.getInt(entry + GatewayHeaderDescriptor.ENTRY_LENGTH_OFFSET, GatewayHeaderDescriptor.BYTE_ORDER));
        }
    }

    private static UnsafeBuffer numbered(long number, int size) {
        UnsafeBuffer payload = new UnsafeBuffer(new byte[size]);
        payload.putLong(0, number);
        return payload;
    }

    private static byte[] copy(ExportBatch batch, int length, Consumer<UnsafeBuffer> change) {
        byte[] bytes = new byte[length];
        batch.buffer().getBytes(0, bytes, 0, length);
        change.accept(new UnsafeBuffer(bytes));
        return bytes;
    }
}
