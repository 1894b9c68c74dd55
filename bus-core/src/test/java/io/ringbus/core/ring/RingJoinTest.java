package io.ringbus.core.ring;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Where a reader starts (see {@link CursorDescriptor}): never where a producer's cached limit still
 * reaches, and at {@code earliest} on a lapped idle ring, leaving out at most the limit reserve of
 * the oldest data. The race itself is covered by jcstress (EarliestJoinVersusCachedLimit) and by
 * EarliestJoinUnderLoadTest across processes.
 */
class RingJoinTest {
    private static final int CAPACITY = 4096;
    private static final int PAYLOAD = 40;

    private static Ring newRing(Arena arena, ProducerMode mode) {
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(4).producerMode(mode);
        return Ring.format(arena.allocate(config.requiredLength(), 64), config);
    }

    private static void write(RingWriter writer, long value) {
        long position = writer.tryClaim(1, PAYLOAD);
        assertTrue(position >= 0, "claim refused: " + position);
        writer.buffer().set(ValueLayout.JAVA_LONG, writer.payloadOffset(position), value);
        writer.commit(position);
    }

    private static List<Long> drain(RingReader reader) {
        List<Long> values = new ArrayList<>();
        while (reader.poll((type, buffer, offset, length) -> values.add(buffer.get(ValueLayout.JAVA_LONG, offset)),
            Integer.MAX_VALUE) > 0) {
            // keep polling: one poll reads at most a lap
        }
        return values;
    }

    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void producersCacheNoMoreThanTheReservePastTheTailAndPublishWhatTheyCache(ProducerMode mode) {
        try (Arena arena = Arena.ofConfined()) {
            Ring ring = newRing(arena, mode);
            RingWriter writer = ring.newWriter();
            for (long value = 1; value <= 1000; value++) {
                write(writer, value);
                long ahead = ring.publishedLimit() - ring.tail();
                assertTrue(ahead >= 0 && ahead <= ring.limitReserve(),
                    "published limit " + ring.publishedLimit() + " is " + ahead + " bytes past the tail; reserve "
                        + ring.limitReserve());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void anEarliestJoinOnALappedIdleRingStartsWhereNoCachedLimitReachesAndDeliversAnUnbrokenRun(ProducerMode mode) {
        try (Arena arena = Arena.ofConfined()) {
            Ring ring = newRing(arena, mode);
            RingWriter writer = ring.newWriter();
            long records = 3L * CAPACITY / RecordDescriptor.recordLength(PAYLOAD) + 5;
            for (long value = 1; value <= records; value++) {
                write(writer, value);
            }
            long published = ring.publishedLimit();
            RingReader reader = RingReader.join(ring, RingReader.takeFreeSlot(ring), true, false);
            long start = reader.position();
            assertTrue(start >= published - CAPACITY,
                "started at " + start + ", where a cached limit of " + published + " may still overwrite");
            long leftOut = start - (ring.tail() - CAPACITY);
            assertTrue(leftOut <= ring.limitReserve(),
                "left out " + leftOut + " bytes of the oldest data; at most the reserve " + ring.limitReserve());
            List<Long> values = drain(reader);
            assertFalse(values.isEmpty());
            for (int i = 1; i < values.size(); i++) {
                assertEquals(values.get(i - 1) + 1, values.get(i), "unbroken run at " + i);
            }
            assertEquals(records, values.get(values.size() - 1), "the run ends with the last record written");
            write(writer, records + 1);
            assertEquals(List.of(records + 1), drain(reader), "and goes on with the next one");
        }
    }

    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void anEarliestJoinOnARingThatNeverWrappedDeliversEverything(ProducerMode mode) {
        try (Arena arena = Arena.ofConfined()) {
            Ring ring = newRing(arena, mode);
            RingWriter writer = ring.newWriter();
            for (long value = 1; value <= 10; value++) {
                write(writer, value);
            }
            RingReader reader = RingReader.join(ring, RingReader.takeFreeSlot(ring), true, false);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), drain(reader));
        }
    }

    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void aReaderThatMayBeEvictedStartsAtTheOldestRecordAndValidatesInstead(ProducerMode mode) {
        try (Arena arena = Arena.ofConfined()) {
            Ring ring = newRing(arena, mode);
            RingWriter writer = ring.newWriter();
            long records = 2L * CAPACITY / RecordDescriptor.recordLength(PAYLOAD);
            for (long value = 1; value <= records; value++) {
                write(writer, value);
            }
            RingReader reader = RingReader.join(ring, RingReader.takeFreeSlot(ring), true, true);
            assertEquals(ring.tail() - CAPACITY, reader.position(), "the oldest record still in the ring");
            List<Long> values = drain(reader);
            assertEquals(CAPACITY / RecordDescriptor.recordLength(PAYLOAD), values.size());
            assertFalse(reader.overrun());
        }
    }
}
