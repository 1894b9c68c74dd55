package io.ringbus.core.ring;

import static io.ringbus.core.ring.RecordDescriptor.HEADER_LENGTH;
import static io.ringbus.core.ring.RecordDescriptor.LENGTH_OFFSET;
import static io.ringbus.core.ring.RecordDescriptor.PADDING_TYPE;
import static io.ringbus.core.ring.RecordDescriptor.STAMP_OFFSET;
import static io.ringbus.core.ring.RecordDescriptor.TYPE_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.CorruptRingException;
import io.ringbus.core.Result;
import io.ringbus.core.RingBusException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whatever another process scribbles into the records, the cursors or the tail, a reader never reads
 * out of range, never loops without bound and fails only with {@link CorruptRingException}; a
 * record that no writer could have written is reported, and the cursor stays before it.
 */
class RingCorruptionTest {
    private static final int CAPACITY = 4096;
    private static final int MAX = CAPACITY / 8;

    /** A ring whose second record starts {@code fromEnd} bytes before the end of the data area. */
    private static final class Bench implements AutoCloseable {
        final Arena arena = Arena.ofConfined();
        final Ring ring;
        final RingWriter writer;
        final RingReader reader;
        final long second;
        final List<Integer> delivered = new ArrayList<>();
        final MessageHandler handler;

        Bench(ProducerMode mode, int fromEnd) {
            RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(2).producerMode(mode)
                .initialPosition(3L * CAPACITY - fromEnd - 32);
            ring = Ring.format(arena.allocate(config.requiredLength(), 64), config);
            writer = ring.newWriter();
            reader = ring.newReader();
            assertTrue(writer.offer(11, new byte[16], 0, 16) >= 0);
            second = writer.offer(22, new byte[8], 0, 8);
            assertEquals(CAPACITY - fromEnd, second & (CAPACITY - 1));
            long dataEnd = ring.dataOffset() + CAPACITY;
            handler = (type, buffer, offset, length) -> {
                assertTrue(offset >= ring.dataOffset() + HEADER_LENGTH && offset + length <= dataEnd);
                delivered.add(type);
            };
        }

        long header(long position) {
            return ring.dataOffset() + (position & (CAPACITY - 1));
        }

        void setSecond(int length, int type) {
            ring.segment().set(ValueLayout.JAVA_INT, header(second) + LENGTH_OFFSET, length);
            ring.segment().set(ValueLayout.JAVA_INT, header(second) + TYPE_OFFSET, type);
        }

        long cursorSlot() {
            return ring.segment().get(ValueLayout.JAVA_LONG,
                RingDescriptor.cursorOffset(reader.slotIndex()) + CursorDescriptor.POSITION_OFFSET);
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    static Stream<Arguments> badRecords() {
        List<Arguments> cases = new ArrayList<>();
        for (ProducerMode mode : ProducerMode.values()) {
            // The second record starts 64 bytes before the end: 48 payload bytes fit there, 49 do not.
            cases.add(Arguments.of(mode, "length -1", 64, -1, 5));
            cases.add(Arguments.of(mode, "length MIN_VALUE", 64, Integer.MIN_VALUE, 5));
            cases.add(Arguments.of(mode, "length MAX_VALUE", 64, Integer.MAX_VALUE, 5));
            cases.add(Arguments.of(mode, "past the data area by one", 64, 49, 5));
            cases.add(Arguments.of(mode, "padding past the data area", 64, 49, PADDING_TYPE));
            cases.add(Arguments.of(mode, "padding of MAX_VALUE", 1024, Integer.MAX_VALUE, PADDING_TYPE));
            cases.add(Arguments.of(mode, "over the maximum message length", 1024, MAX + 1, 5));
            cases.add(Arguments.of(mode, "over the maximum, at the very end", MAX + 32, MAX + 1, 5));
            cases.add(Arguments.of(mode, "type -2", 1024, 8, -2));
            cases.add(Arguments.of(mode, "type MIN_VALUE", 1024, 8, Integer.MIN_VALUE));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badRecords")
    void aRecordNoWriterCouldWriteIsCorruptAndTheCursorStaysBeforeIt(ProducerMode mode, String name, int fromEnd,
            int length, int type) {
        try (Bench b = new Bench(mode, fromEnd)) {
            b.setSecond(length, type);
            assertThrows(CorruptRingException.class, () -> b.reader.poll(b.handler, 10));
            assertEquals(List.of(11), b.delivered, "the record before the corrupt one is delivered once");
            assertEquals(b.second, b.reader.position());
            assertEquals(b.second, b.cursorSlot());
            for (int i = 0; i < 3; i++) {
                assertThrows(CorruptRingException.class, () -> b.reader.poll(b.handler, 10));
                assertEquals(b.second, b.reader.position());
                assertEquals(b.second, b.cursorSlot());
            }
            assertEquals(List.of(11), b.delivered);
        }
    }

    /** The boundary cases just inside the limits are legal and delivered (or skipped, for padding). */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void recordsExactlyAtTheLimitsAreAccepted(ProducerMode mode) {
        try (Bench b = new Bench(mode, 64)) {
            b.setSecond(48, 5);
            assertEquals(2, b.reader.poll(b.handler, 10));
            assertEquals(List.of(11, 5), b.delivered);
            assertEquals(b.second + 64, b.reader.position());
        }
        try (Bench b = new Bench(mode, 1024)) {
            b.setSecond(MAX, 6);
            assertEquals(2, b.reader.poll(b.handler, 10));
            assertEquals(b.second + RecordDescriptor.recordLength(MAX), b.reader.position());
        }
        try (Bench b = new Bench(mode, 1024)) {
            b.setSecond(1024 - HEADER_LENGTH, PADDING_TYPE);
            assertEquals(1, b.reader.poll(b.handler, 10));
            assertEquals(b.second + 1024, b.reader.position(), "a padding record to the end is skipped whole");
        }
    }

    /** A stamp of another position (an earlier or later lap) is not a record: the reader waits there. */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void aStampOfAnotherPositionIsNotCommitted(ProducerMode mode) {
        try (Bench b = new Bench(mode, 1024)) {
            long stamp = b.header(b.second) + STAMP_OFFSET;
            for (long other : new long[] {b.second - CAPACITY, b.second + CAPACITY, b.second + 16, 0, 1}) {
                b.ring.segment().set(ValueLayout.JAVA_LONG, stamp, other == 0 || other == 1 ? other
                    : b.ring.stampOf(other));
                b.delivered.clear();
                b.reader.poll(b.handler, 10);
                assertFalse(b.delivered.contains(22), "record delivered under the stamp of " + other);
                assertEquals(b.second, b.reader.position());
            }
            b.ring.segment().set(ValueLayout.JAVA_LONG, stamp, b.ring.stampOf(b.second));
            assertEquals(1, b.reader.poll(b.handler, 10));
        }
    }

    /**
     * Seeded fuzz: random bytes over the data area, the cursor slots and the cursor high mark, and
     * forged headers with the right stamp at positions the reader will reach. Every poll returns:
     * a count within its limit, or CorruptRingException. Anything else (an out-of-range access, an
     * arithmetic error, a hang caught by the guard) fails. Writers and joins keep going meanwhile.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void fuzzedMemoryEndsEveryPollInMessagesZeroOrCorruptRingException() {
        long seed = 20250101;
        Random random = new Random(seed);
        int corrupt = 0;
        long delivered = 0;
        for (int iteration = 0; iteration < 1500; iteration++) {
            try {
                int[] outcome = fuzzOnce(random, iteration);
                corrupt += outcome[0];
                delivered += outcome[1];
            } catch (Throwable t) {
                throw new AssertionError("fuzz iteration " + iteration + " (seed " + seed + ")", t);
            }
        }
        assertTrue(corrupt > 500, "only " + corrupt + " polls met corruption: the fuzz is too timid");
        assertTrue(delivered > 10_000, "only " + delivered + " messages: the fuzz is too destructive");
    }

    private static int[] fuzzOnce(Random random, int iteration) {
        ProducerMode mode = ProducerMode.values()[iteration & 1];
        long start = (long) random.nextInt(1 << 20) * RecordDescriptor.ALIGNMENT;
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(4).producerMode(mode)
            .initialPosition(start);
        int corrupt = 0;
        int delivered = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(config.requiredLength(), 64);
            Ring ring = Ring.format(segment, config);
            long dataOffset = ring.dataOffset();
            long dataEnd = dataOffset + CAPACITY;
            RingWriter writer = ring.newWriter();
            RingReader reader = ring.newReader();
            byte[] payload = new byte[MAX];
            long[] sink = new long[1];
            MessageHandler handler = (type, buffer, offset, length) -> {
                assertTrue(type >= 0, "negative type delivered");
                assertTrue(length >= 0 && length <= MAX, "length " + length);
                assertTrue(offset >= dataOffset + HEADER_LENGTH && offset + length <= dataEnd, "out of the data area");
                for (int i = 0; i < length; i++) {
                    sink[0] += buffer.get(ValueLayout.JAVA_BYTE, offset + i);
                }
            };
            for (int round = 0; round < 8; round++) {
                for (int i = random.nextInt(30); i > 0; i--) {
                    long result = writer.offer(random.nextInt(100), payload, 0, random.nextInt(MAX + 1));
                    assertTrue(result >= 0 || result == Result.BACK_PRESSURED, Result.describe(result));
                }
                scribble(random, ring, reader.position());
                for (int p = 0; p < 3; p++) {
                    long before = reader.position();
                    int limit = random.nextInt(4) == 0 ? Integer.MAX_VALUE : random.nextInt(6);
                    try {
                        int count = reader.poll(handler, limit);
                        assertTrue(count >= 0 && count <= Math.max(0, limit), "count " + count);
                        delivered += count;
                    } catch (CorruptRingException expected) {
                        corrupt++;
                    }
                    long moved = reader.position() - before;
                    assertTrue(moved >= 0 && moved < 2L * CAPACITY, "reader moved by " + moved);
                    assertTrue(RecordDescriptor.isAligned(reader.position()));
                }
                try (RingReader other = ring.newReader()) {
                    other.poll(handler, 3);
                } catch (CorruptRingException expected) {
                    corrupt++;
                } catch (RingBusException expected) {
                    assertTrue(expected.getMessage().contains("cursor slots"), expected.getMessage());
                }
            }
        }
        return new int[] {corrupt, delivered};
    }

    /** One to four random damages: raw bytes, forged records with the right stamp, cursor slots. */
    private static void scribble(Random random, Ring ring, long readerPosition) {
        MemorySegment segment = ring.segment();
        long dataOffset = ring.dataOffset();
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            switch (random.nextInt(5)) {
                case 0 -> {
                    long from = dataOffset + random.nextInt(CAPACITY);
                    int count = 1 + random.nextInt(64);
                    for (int i = 0; i < count && from + i < dataOffset + CAPACITY; i++) {
                        segment.set(ValueLayout.JAVA_BYTE, from + i, (byte) random.nextInt());
                    }
                }
                case 1, 2 -> {
                    long position = readerPosition + 16L * random.nextInt(random.nextBoolean() ? 4 : 256);
                    long header = dataOffset + (position & (CAPACITY - 1));
                    int toEnd = (int) (dataOffset + CAPACITY - header - HEADER_LENGTH);
                    int length = switch (random.nextInt(9)) {
                        case 0 -> -1 - random.nextInt(Integer.MAX_VALUE);
                        case 1 -> toEnd;
                        case 2 -> toEnd + 1 + random.nextInt(64);
                        case 3 -> MAX;
                        case 4 -> MAX + 1;
                        case 5 -> random.nextInt();
                        default -> random.nextInt(MAX + 1);
                    };
                    int type = switch (random.nextInt(6)) {
                        case 0 -> PADDING_TYPE;
                        case 1 -> -2 - random.nextInt(Integer.MAX_VALUE - 2);
                        case 2 -> random.nextInt();
                        default -> random.nextInt(100);
                    };
                    segment.set(ValueLayout.JAVA_INT, header + LENGTH_OFFSET, length);
                    segment.set(ValueLayout.JAVA_INT, header + TYPE_OFFSET, type);
                    segment.set(ValueLayout.JAVA_LONG, header + STAMP_OFFSET, ring.stampOf(position));
                }
                case 3 -> {
                    long from = RingDescriptor.CURSORS_OFFSET + random.nextInt(ring.maxCursors()
                        * CursorDescriptor.SLOT_LENGTH);
                    if (random.nextBoolean()) {
                        segment.set(ValueLayout.JAVA_LONG, from & -8, random.nextLong());
                    } else {
                        segment.set(ValueLayout.JAVA_INT, from & -4, random.nextInt(4));
                    }
                }
                default -> segment.set(ValueLayout.JAVA_INT, RingDescriptor.CURSOR_HIGH_MARK_OFFSET,
                    random.nextBoolean() ? random.nextInt() : random.nextInt(8));
            }
        }
    }

    /**
     * A cursor slot scribbled to ACTIVE with an absurd position (far behind, negative, far ahead) may
     * stall a writer but must never let it overrun a live reader that is a capacity behind.
     */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void aScribbledCursorNeverLetsAWriterOverrunALiveReader(ProducerMode mode) {
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(3).producerMode(mode);
        try (RingHarness h = new RingHarness(config)) {
            RingWriter writer = h.ring.newWriter();
            RingHarness.Tracked live = h.join();
            // Several laps first: a cursor near Long.MIN_VALUE is most dangerous once tail > capacity,
            // where an unclamped limit (cursor + capacity) - tail overflows to a huge positive room.
            for (int i = 0; i < 4 * CAPACITY / 64; i++) {
                assertTrue(writer.offer(1, new byte[48], 0, 48) >= 0);
                assertEquals(1, live.reader.poll((t, b, o, l) -> { }, Integer.MAX_VALUE));
            }
            long slot = RingDescriptor.cursorOffset(2);
            MemorySegment segment = h.ring.segment();
            segment.set(ValueLayout.JAVA_INT, slot + CursorDescriptor.STATE_OFFSET, CursorDescriptor.ACTIVE);
            segment.set(ValueLayout.JAVA_INT, RingDescriptor.CURSOR_HIGH_MARK_OFFSET, 3);
            for (long garbage : new long[] {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, Long.MAX_VALUE,
                Long.MAX_VALUE - CAPACITY, 1L << 62}) {
                segment.set(ValueLayout.JAVA_LONG, slot + CursorDescriptor.POSITION_OFFSET, garbage);
                long tail = h.ring.tail();
                int written = 0;
                while (writer.offer(1, new byte[48], 0, 48) >= 0) {
                    written++;
                    assertTrue(written <= CAPACITY / 64, "cursor " + garbage + " let the writer overrun the reader");
                }
                assertTrue(h.ring.tail() - live.reader.position() <= CAPACITY);
                // At most a capacity was written, so one poll reads it all and the next finds nothing.
                assertEquals(written, live.reader.poll((t, b, o, l) -> { }, Integer.MAX_VALUE), "cursor " + garbage);
                assertEquals(0, live.reader.poll((t, b, o, l) -> { }, Integer.MAX_VALUE));
                assertEquals(h.ring.tail(), live.reader.position());
                assertTrue(h.ring.tail() >= tail);
            }
        }
    }

    static Stream<Arguments> badTails() {
        List<Arguments> cases = new ArrayList<>();
        for (ProducerMode mode : ProducerMode.values()) {
            for (long tail : new long[] {-16, Long.MIN_VALUE, -1, 8, 17, CAPACITY + 4}) {
                cases.add(Arguments.of(mode, tail));
            }
        }
        return cases.stream();
    }

    /**
     * A tail no writer could have stored (negative, or off a record boundary) is CorruptRingException
     * for a writer or reader created on it, and for every claim of a many-producer writer (which reads
     * the shared tail each time). A single-producer writer owns the tail: it reads it once, when made.
     */
    @ParameterizedTest(name = "{0} tail {1}")
    @MethodSource("badTails")
    void aScribbledTailIsCorruptRingException(ProducerMode mode, long tail) {
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(2).producerMode(mode);
        try (Arena arena = Arena.ofConfined()) {
            Ring ring = Ring.format(arena.allocate(config.requiredLength(), 64), config);
            RingWriter writer = mode == ProducerMode.MANY ? ring.newWriter() : null;
            ring.segment().set(ValueLayout.JAVA_LONG, RingDescriptor.TAIL_OFFSET, tail);
            assertThrows(CorruptRingException.class, ring::newWriter);
            assertThrows(CorruptRingException.class, ring::newReader);
            if (writer != null) {
                assertThrows(CorruptRingException.class, () -> writer.offer(1, new byte[4], 0, 4));
                assertThrows(CorruptRingException.class, () -> writer.offer(1, MemorySegment.NULL, 0, 0));
                assertThrows(CorruptRingException.class, () -> writer.tryClaim(1, 4));
            }
            assertEquals(tail, ring.tail(), "a failed claim wrote the tail");
        }
    }
}
