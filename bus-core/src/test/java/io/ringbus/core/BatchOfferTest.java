package io.ringbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.ring.MessageHandler;
import io.ringbus.core.ring.ProducerMode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Publisher#offerBatch}: a batch arrives whole, in order, its messages next to each other, across
 * the wrap and beside another publisher's messages; a batch that does not fit is refused with its code
 * and leaves nothing behind; and {@link Subscriber#poll} with a limit delivers a batch's messages in order.
 */
class BatchOfferTest {
    private static final int CAPACITY = 4096;

    private Path root;
    private Bus bus;
    private final Arena arena = Arena.ofConfined();

    @BeforeEach
    void open() throws Exception {
        root = Files.createTempDirectory(Path.of("/dev/shm"), "rb-perf-batch-");
        bus = Bus.open(new BusContext().directory(root.resolve("bus")));
    }

    @AfterEach
    void close() throws Exception {
        bus.close();
        arena.close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A message of {@code length} bytes (at least 4): its id, then the id's low byte repeated. */
    private static void fill(MemorySegment source, long at, int id, int length) {
        source.set(ValueLayout.JAVA_INT_UNALIGNED, at, id);
        for (int i = 4; i < length; i++) {
            source.set(ValueLayout.JAVA_BYTE, at + i, (byte) id);
        }
    }

    /** Collects message ids, and fails on a message whose bytes are not its id's. */
    private static MessageHandler into(List<Integer> ids) {
        return (type, buffer, offset, length) -> {
            int id = buffer.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
            for (int i = 4; i < length; i++) {
                assertEquals((byte) id, buffer.get(ValueLayout.JAVA_BYTE, offset + i), "byte " + i + " of " + id);
            }
            ids.add(id);
        };
    }

    @Test
    void batchesArriveWholeAndInOrderAcrossTheWrapBesideAnotherPublisher() {
        TopicConfig topic = new TopicConfig().capacity(CAPACITY).producerMode(ProducerMode.MANY).wakeup(false);
        Subscriber subscriber = bus.newSubscriber("t", topic, new SubscriberConfig().wakeup(WakeupMode.SPIN));
        Publisher batcher = bus.newPublisher("t", topic);
        Publisher single = bus.newPublisher("t", topic);
        MemorySegment source = arena.allocate(CAPACITY);
        List<Integer> received = new ArrayList<>();
        List<Integer> sent = new ArrayList<>();
        int id = 0;
        // 60 rounds of a 5-message batch and one single message: some 20 KiB through a 4 KiB ring.
        for (int round = 0; round < 60; round++) {
            int[] lengths = new int[5];
            long at = 0;
            for (int i = 0; i < lengths.length; i++) {
                lengths[i] = 4 + (round * 37 + i * 53) % 60; // five records of at most 80 bytes: under the largest
                fill(source, at, id, lengths[i]);
                sent.add(id++);
                at += lengths[i];
            }
            assertTrue(batcher.offerBatch(source, 0, lengths, lengths.length) >= 0, "batch " + round);
            MemorySegment one = arena.allocate(16);
            fill(one, 0, id, 16);
            sent.add(id++);
            assertTrue(single.offer(one, 0, 16) >= 0);
            subscriber.poll(into(received), 1000);
        }
        assertEquals(sent, received);
    }

    @Test
    void aBatchThatDoesNotFitNowIsRefusedWholeAndFitsOnceTheSubscriberCatchesUp() {
        TopicConfig topic = new TopicConfig().capacity(CAPACITY).producerMode(ProducerMode.SINGLE).wakeup(false);
        Subscriber subscriber = bus.newSubscriber("t", topic, new SubscriberConfig().wakeup(WakeupMode.SPIN));
        Publisher publisher = bus.newPublisher("t", topic);
        MemorySegment source = arena.allocate(CAPACITY);
        // 240-byte messages take 256-byte records: 15 fill all but one record of the ring.
        int sent = 0;
        for (; sent < 15; sent++) {
            fill(source, 0, sent, 240);
            assertTrue(publisher.offer(source, 0, 240) >= 0, "message " + sent);
        }
        int[] lengths = {240, 240};
        fill(source, 0, 100, 240);
        fill(source, 240, 101, 240);
        assertEquals(Result.BACK_PRESSURED, publisher.offerBatch(source, 0, lengths, 2));
        List<Integer> received = new ArrayList<>();
        subscriber.poll(into(received), 1000);
        assertEquals(15, received.size(), "nothing of the refused batch: " + received);
        assertTrue(publisher.offerBatch(source, 0, lengths, 2) >= 0);
        subscriber.poll(into(received), 1000);
        assertEquals(List.of(13, 14, 100, 101), received.subList(13, received.size()));
    }

    @Test
    void aBatchLargerThanTheLargestMessageIsTooLargeAndWritesNothing() {
        TopicConfig topic = new TopicConfig().capacity(CAPACITY).producerMode(ProducerMode.SINGLE).wakeup(false);
        Subscriber subscriber = bus.newSubscriber("t", topic, new SubscriberConfig().wakeup(WakeupMode.SPIN));
        Publisher publisher = bus.newPublisher("t", topic);
        int largest = publisher.maxMessageLength();
        MemorySegment source = arena.allocate(2L * largest + 64);
        fill(source, 0, 1, largest);
        fill(source, largest, 2, 4);
        assertEquals(Result.TOO_LARGE, publisher.offerBatch(source, 0, new int[] {largest, 4}, 2));
        List<Integer> received = new ArrayList<>();
        assertEquals(0, subscriber.poll(into(received), 1000));
        // The largest message alone is a batch of one that fits: the limit is one largest record.
        assertTrue(publisher.offerBatch(source, 0, new int[] {largest}, 1) >= 0);
        assertEquals(1, subscriber.poll(into(received), 1000));
        assertEquals(List.of(1), received);
        assertThrows(IllegalArgumentException.class, () -> publisher.offerBatch(source, 0, new int[] {4}, 2));
        assertThrows(IllegalArgumentException.class,
            () -> publisher.offerBatch(source, source.byteSize() - 4, new int[] {8}, 1));
    }

    @Test
    void pollWithALimitDeliversABatchInOrderAcrossCalls() {
        TopicConfig topic = new TopicConfig().capacity(1 << 16).producerMode(ProducerMode.SINGLE).wakeup(false);
        Subscriber subscriber = bus.newSubscriber("t", topic, new SubscriberConfig().wakeup(WakeupMode.SPIN));
        Publisher publisher = bus.newPublisher("t", topic);
        MemorySegment source = arena.allocate(100 * 8);
        int[] lengths = new int[100];
        for (int i = 0; i < 100; i++) {
            lengths[i] = 8;
            fill(source, i * 8L, i, 8);
        }
        assertTrue(publisher.offerBatch(source, 0, lengths, 100) >= 0);
        List<Integer> received = new ArrayList<>();
        assertEquals(64, subscriber.poll(into(received), 64));
        assertEquals(36, subscriber.poll(into(received), 64));
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add(i);
        }
        assertEquals(expected, received);
    }
}
