package io.ringbus.core.ring;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.Result;
import io.ringbus.core.ring.RingHarness.Tracked;
import io.ringbus.core.ring.RingHarness.Via;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A full ring back-pressures its writers and loses nothing: with a reader that does not poll,
 * offers succeed until exactly the capacity is used, then return BACK_PRESSURED (never throw);
 * programmer errors throw and leave the ring untouched.
 */
class RingBackPressureTest {
    private static final int CAPACITY = 2048;
    private static final int MAX = CAPACITY / 8;

    /** Bytes used by the records from {@code from} in the harness, counted from their positions. */
    private static long bytesUsed(RingHarness h, long readerPosition, int fromIndex) {
        RingHarness.Sent last = h.sent.getLast();
        long used = last.end() - readerPosition;
        long sum = 0;
        long previousEnd = readerPosition;
        for (int i = fromIndex; i < h.sent.size(); i++) {
            RingHarness.Sent s = h.sent.get(i);
            assertTrue(s.position >= previousEnd, "records overlap");
            sum += s.end() - previousEnd;
            previousEnd = s.end();
        }
        assertEquals(used, sum);
        return used;
    }

    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void offersSucceedUntilExactlyTheCapacityIsUsedThenBackPressure(ProducerMode mode) {
        Random random = new Random(2048);
        for (int round = 0; round < 40; round++) {
            long start = (random.nextInt(4 * CAPACITY)) & -RecordDescriptor.ALIGNMENT;
            RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(2).producerMode(mode)
                .initialPosition(start);
            try (RingHarness h = new RingHarness(config)) {
                RingWriter writer = h.ring.newWriter();
                Tracked reader = h.join();
                int fixed = random.nextInt(MAX + 1);
                int successes = 0;
                while (h.offer(writer, fixed, Via.values()[successes % 3]) >= 0) {
                    successes++;
                }
                long used = bytesUsed(h, start, 0);
                int recordLength = RecordDescriptor.recordLength(fixed);
                assertTrue(used <= CAPACITY, "used " + used);
                assertTrue(used + RingHarness.claimLength(h.modelTail, recordLength, CAPACITY) > CAPACITY,
                    "refused although " + (CAPACITY - used) + " bytes are free");
                if (CAPACITY % recordLength == 0 && start % recordLength == 0) {
                    assertEquals(CAPACITY, used);
                    assertEquals(CAPACITY / recordLength, successes);
                }
                // Zero-length records (16 bytes) never need padding, so they fill the ring exactly.
                while (h.offer(writer, 0, Via.BYTES) >= 0) {
                    successes++;
                }
                assertEquals(CAPACITY, bytesUsed(h, start, 0));
                assertEquals(start + CAPACITY, h.ring.tail());
                for (int i = 0; i < 5; i++) {
                    assertEquals(Result.BACK_PRESSURED, writer.offer(1, new byte[0], 0, 0));
                    assertEquals(Result.BACK_PRESSURED, writer.tryClaim(1, 0));
                    assertEquals(Result.BACK_PRESSURED, writer.offer(1, MemorySegment.NULL, 0, 0));
                }
                assertEquals(start + CAPACITY, h.ring.tail(), "a refused offer moved the tail");

                // Free a random part, refill, and account for every byte again.
                for (int cycle = 0; cycle < 6; cycle++) {
                    reader.poll(1 + random.nextInt(successes));
                    long readerPosition = reader.modelPosition;
                    int from = reader.next;
                    while (h.offer(writer, random.nextInt(MAX + 1), Via.values()[random.nextInt(3)]) >= 0) {
                        successes++;
                    }
                    while (h.offer(writer, 0, Via.CLAIM) >= 0) {
                        successes++;
                    }
                    if (from < h.sent.size()) {
                        assertEquals(CAPACITY, bytesUsed(h, readerPosition, from));
                    }
                }
                reader.drain();
                assertEquals(h.sent.size(), reader.delivered);
                assertEquals(successes, h.sent.size());
            }
        }
    }

    /** Nobody to wait for: with no reader a writer laps the ring freely. */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void withoutReadersWritersAreNeverBackPressured(ProducerMode mode) {
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(2).producerMode(mode);
        try (RingHarness h = new RingHarness(config)) {
            RingWriter writer = h.ring.newWriter();
            Random random = new Random(5);
            while (h.modelTail < 10L * CAPACITY) {
                assertTrue(h.offer(writer, random.nextInt(MAX + 1), Via.values()[random.nextInt(3)]) >= 0);
            }
            Tracked late = h.join();
            for (int i = 0; i < 20; i++) {
                h.offer(writer, 64, Via.BYTES);
            }
            late.drain();
            assertEquals(20, late.delivered);
        }
    }

    /**
     * Programmer errors throw IllegalArgumentException whatever the state of the ring, full or not,
     * and claim nothing: the tail does not move and the reader sees only the good messages.
     */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void oversizedAndNegativeArgumentsThrowAndClaimNothing(ProducerMode mode) {
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(2).producerMode(mode);
        try (RingHarness h = new RingHarness(config)) {
            RingWriter writer = h.ring.newWriter();
            assertEquals(MAX, writer.maxMessageLength());
            Tracked reader = h.join();
            byte[] big = new byte[MAX + 16];
            MemorySegment bigSegment = h.arena.allocate(MAX + 16);
            for (int full = 0; full < 2; full++) {
                long tail = h.ring.tail();
                assertThrows(IllegalArgumentException.class, () -> writer.offer(1, big, 0, MAX + 1));
                assertThrows(IllegalArgumentException.class, () -> writer.offer(1, bigSegment, 0, MAX + 1));
                assertThrows(IllegalArgumentException.class, () -> writer.tryClaim(1, MAX + 1));
                assertThrows(IllegalArgumentException.class, () -> writer.tryClaim(1, Integer.MAX_VALUE));
                assertThrows(IllegalArgumentException.class, () -> writer.tryClaim(1, -1));
                assertThrows(IllegalArgumentException.class, () -> writer.offer(1, big, 0, -1));
                assertThrows(IllegalArgumentException.class, () -> writer.tryClaim(1, Integer.MIN_VALUE));
                assertThrows(IllegalArgumentException.class, () -> writer.offer(-1, big, 0, 8));
                assertThrows(IllegalArgumentException.class, () -> writer.offer(-2, bigSegment, 0, 8));
                assertThrows(IllegalArgumentException.class, () -> writer.tryClaim(Integer.MIN_VALUE, 8));
                assertThrows(IllegalArgumentException.class, () -> writer.tryClaim(RecordDescriptor.PADDING_TYPE, 0));
                assertEquals(tail, h.ring.tail());
                while (h.offer(writer, MAX, Via.BYTES) >= 0) {
                    // fill the ring; the second pass checks the same errors when it is full
                }
            }
            reader.drain();
            assertEquals(h.sent.size(), reader.delivered);
            h.offer(writer, MAX, Via.SEGMENT);
            reader.drain();
            assertEquals(h.sent.size(), reader.delivered);
        }
    }

    /**
     * An offer whose source range is wrong is a programmer error and may throw, but it must not leave
     * a claimed, never committed record behind: that record would hold back every later record for
     * every reader, for good.
     */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void anOfferWithABadSourceRangeDoesNotWedgeTheRing(ProducerMode mode) {
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(2).producerMode(mode);
        try (RingHarness h = new RingHarness(config)) {
            RingWriter writer = h.ring.newWriter();
            Tracked reader = h.join();
            h.offer(writer, 10, Via.BYTES);
            byte[] small = new byte[10];
            MemorySegment smallSegment = h.arena.allocate(10);
            MemorySegment closed;
            try (Arena other = Arena.ofConfined()) {
                closed = other.allocate(32);
            }
            assertThrows(IndexOutOfBoundsException.class, () -> writer.offer(1, small, 5, 10));
            assertThrows(IndexOutOfBoundsException.class, () -> writer.offer(1, small, -1, 4));
            assertThrows(IndexOutOfBoundsException.class, () -> writer.offer(1, smallSegment, 4, 7));
            assertThrows(IllegalStateException.class, () -> writer.offer(1, closed, 0, 32));
            // Whatever the failed offers left in the ring, the next good one must reach the reader.
            long good = writer.offer(7, new byte[] {1, 2, 3}, 0, 3);
            assertTrue(good >= 0);
            int[] seen = new int[1];
            reader.reader.poll((type, buffer, offset, length) -> {
                if (type == 7) {
                    seen[0]++;
                }
            }, Integer.MAX_VALUE);
            assertEquals(1, seen[0], "the good offer after the failed ones was not delivered");
        }
    }
}
