package io.ringbus.core.ring;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.Result;
import io.ringbus.core.ring.RingHarness.Tracked;
import io.ringbus.core.ring.RingHarness.Via;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Positions are 64-bit and never wrap: records written across 2^31, 2^32 and up to the last
 * positions below 2^63 are delivered intact, and a claim that would pass {@link Long#MAX_VALUE}
 * is refused with {@link Result#MAX_POSITION_EXCEEDED}, never thrown, never wrapped to negative.
 */
class RingPositionTest {
    private static final int CAPACITY = 4096;
    /** The highest position a ring may start at: conclude() wants two capacities of room below 2^63. */
    private static final long HIGHEST_START = (Long.MAX_VALUE - 2L * CAPACITY) & -RecordDescriptor.ALIGNMENT;
    /** The last position a record can start at: the aligned position closest to 2^63. */
    private static final long LAST_ALIGNED = Long.MAX_VALUE & -RecordDescriptor.ALIGNMENT;

    static Stream<Arguments> boundaries() {
        List<Arguments> cases = new ArrayList<>();
        for (ProducerMode mode : ProducerMode.values()) {
            for (long boundary : new long[] {1L << 31, 1L << 32}) {
                cases.add(Arguments.of(mode, boundary - 3L * CAPACITY + 48));
                cases.add(Arguments.of(mode, boundary - 2L * CAPACITY - 16));
            }
            cases.add(Arguments.of(mode, HIGHEST_START - 5L * CAPACITY + 32));
        }
        return cases.stream();
    }

    /** Writes six capacities of mixed records from {@code start}, with a slow and a fast reader. */
    @ParameterizedTest
    @MethodSource("boundaries")
    void recordsCrossLargePositionBoundariesIntact(ProducerMode mode, long start) {
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(4).producerMode(mode)
            .initialPosition(start);
        try (RingHarness h = new RingHarness(config)) {
            assertEquals(start, h.ring.initialPosition());
            RingWriter writer = h.ring.newWriter();
            Tracked fast = h.join();
            Tracked slow = h.join();
            Random random = new Random(start);
            while (h.modelTail - start < 6L * CAPACITY) {
                h.offer(writer, random.nextInt(CAPACITY / 8 + 1), Via.values()[random.nextInt(3)]);
                fast.poll(1 + random.nextInt(3));
                if (random.nextInt(40) == 0) {
                    slow.drain();
                }
            }
            h.drainAll();
            assertEquals(h.sent.size(), fast.delivered);
            assertEquals(h.sent.size(), slow.delivered);
            assertTrue(h.sent.getFirst().position < start + CAPACITY);
            assertTrue(h.sent.getLast().position > start + 5L * CAPACITY);
        }
    }

    /**
     * From the highest allowed start, write until the ring refuses: the refusal is
     * MAX_POSITION_EXCEEDED (the harness checks the exact point: when tail + claim would pass
     * Long.MAX_VALUE), it stays so, and zero-length records fill the ring up to the last aligned
     * position below 2^63. Every record, including those at the very top, is delivered.
     */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void claimsPastLongMaxValueAreRefusedWithMaxPositionExceeded(ProducerMode mode) {
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(2).producerMode(mode)
            .initialPosition(HIGHEST_START);
        try (RingHarness h = new RingHarness(config)) {
            RingWriter writer = h.ring.newWriter();
            Tracked reader = h.join();
            Random random = new Random(63);
            long result;
            do {
                result = h.offer(writer, random.nextInt(CAPACITY / 8 + 1), Via.values()[random.nextInt(3)]);
                reader.poll(Integer.MAX_VALUE);
            } while (result >= 0);
            assertEquals(Result.MAX_POSITION_EXCEEDED, result);
            long tail = h.ring.tail();
            assertTrue(tail > 0, "tail " + tail + " wrapped negative");
            for (int i = 0; i < 3; i++) {
                assertEquals(Result.MAX_POSITION_EXCEEDED, writer.tryClaim(1, CAPACITY / 8));
                assertEquals(Result.MAX_POSITION_EXCEEDED, writer.offer(1, new byte[CAPACITY / 8], 0, CAPACITY / 8));
                assertEquals(tail, h.ring.tail());
            }
            while (h.offer(writer, 0, Via.values()[h.sent.size() % 3]) >= 0) {
                reader.poll(Integer.MAX_VALUE);
            }
            assertEquals(LAST_ALIGNED, h.ring.tail());
            assertEquals(LAST_ALIGNED - RecordDescriptor.HEADER_LENGTH, h.sent.getLast().position);
            assertEquals(Result.MAX_POSITION_EXCEEDED, writer.tryClaim(0, 0));
            reader.drain();
            assertEquals(h.sent.size(), reader.delivered);
            assertEquals(LAST_ALIGNED, reader.reader.position());
            assertEquals(0, reader.poll(Integer.MAX_VALUE));
        }
    }

    /**
     * A full ring near 2^63 is back-pressured, not position-exceeded, as long as the claim itself
     * would stay below 2^63; once the reader frees space the remaining positions are usable.
     */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void aFullRingNearTheTopIsBackPressuredUntilTheReaderMoves(ProducerMode mode) {
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(2).producerMode(mode)
            .initialPosition(HIGHEST_START);
        try (RingHarness h = new RingHarness(config)) {
            RingWriter writer = h.ring.newWriter();
            Tracked reader = h.join();
            int backPressured = 0;
            long result;
            while (true) {
                do {
                    result = h.offer(writer, 100, Via.values()[h.sent.size() % 3]);
                } while (result >= 0);
                if (result == Result.MAX_POSITION_EXCEEDED) {
                    break;
                }
                assertEquals(Result.BACK_PRESSURED, result);
                assertEquals(Result.BACK_PRESSURED, writer.tryClaim(0, 100), "refused until the reader moves");
                backPressured++;
                reader.drain();
            }
            assertTrue(backPressured >= 1, "never back-pressured before the top");
            reader.drain();
            assertEquals(h.sent.size(), reader.delivered);
        }
    }
}
