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
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
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

    private static byte[] copy(ExportBatch batch, int length, Consumer<UnsafeBuffer> change) {
        byte[] bytes = new byte[length];
        batch.buffer().getBytes(0, bytes, 0, length);
        change.accept(new UnsafeBuffer(bytes));
        return bytes;
    }
}
