package io.ringbus.core.ring;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The layout descriptors and the config: offsets aligned and disjoint, the tail and each cursor on
 * cache lines of their own, sizes summed right, stamps unique and never zero, and every bad config
 * value rejected with an IllegalArgumentException naming it.
 */
class RingLayoutTest {
    /** Hardware cache line, and the pair the adjacent-line prefetcher pulls in together. */
    private static final int CACHE_LINE = 64;
    private static final int LINE_PAIR = 2 * CACHE_LINE;

    /** A field: where it starts and how many bytes it takes. */
    private record Field(String name, long offset, int size) {
    }

    private static void assertAlignedAndDisjoint(List<Field> fields, long end) {
        for (Field f : fields) {
            assertEquals(0, f.offset % f.size, f.name + " is not naturally aligned");
            assertTrue(f.offset >= 0 && f.offset + f.size <= end, f.name + " lies outside [0, " + end + ")");
            for (Field g : fields) {
                if (f != g) {
                    assertTrue(f.offset + f.size <= g.offset || g.offset + g.size <= f.offset,
                        f.name + " overlaps " + g.name);
                }
            }
        }
    }

    @Test
    void headerFieldsAreAlignedDisjointAndOffTheTailsCacheLines() {
        assertAlignedAndDisjoint(List.of(
            new Field("magic", RingDescriptor.MAGIC_OFFSET, 8),
            new Field("version", RingDescriptor.VERSION_OFFSET, 4),
            new Field("capacity", RingDescriptor.CAPACITY_OFFSET, 4),
            new Field("max message length", RingDescriptor.MAX_MESSAGE_LENGTH_OFFSET, 4),
            new Field("cursors", RingDescriptor.MAX_CURSORS_OFFSET, 4),
            new Field("producer mode", RingDescriptor.PRODUCER_MODE_OFFSET, 4),
            new Field("byte order", RingDescriptor.BYTE_ORDER_OFFSET, 4),
            new Field("initial position", RingDescriptor.INITIAL_POSITION_OFFSET, 8),
            new Field("cursor high mark", RingDescriptor.CURSOR_HIGH_MARK_OFFSET, 4)), RingDescriptor.TAIL_OFFSET);
        // The tail owns a whole 128-byte pair of lines: nothing before it in its pair, nothing after.
        assertEquals(0, RingDescriptor.TAIL_OFFSET % LINE_PAIR);
        assertTrue(RingDescriptor.CURSORS_OFFSET - RingDescriptor.TAIL_OFFSET >= LINE_PAIR);
        assertEquals(0, RingDescriptor.CURSORS_OFFSET % LINE_PAIR);
    }

    @Test
    void headerWordHoldsLengthAndTypeWhereTheIntFieldsAre() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment record = arena.allocate(RecordDescriptor.HEADER_LENGTH, 16);
            for (int[] pair : new int[][] {{0, 0}, {64, 7}, {Integer.MAX_VALUE, RecordDescriptor.PADDING_TYPE},
                {-1, Integer.MAX_VALUE}, {0x12345678, 0x9ABCDEF0}}) {
                record.set(ValueLayout.JAVA_LONG, RecordDescriptor.HEADER_WORD_OFFSET,
                    RecordDescriptor.headerWord(pair[0], pair[1]));
                assertEquals(pair[0], record.get(ValueLayout.JAVA_INT, RecordDescriptor.LENGTH_OFFSET));
                assertEquals(pair[1], record.get(ValueLayout.JAVA_INT, RecordDescriptor.TYPE_OFFSET));
                long read = record.get(ValueLayout.JAVA_LONG, RecordDescriptor.HEADER_WORD_OFFSET);
                assertEquals(pair[0], RecordDescriptor.lengthOf(read));
                assertEquals(pair[1], RecordDescriptor.typeOf(read));
            }
        }
    }

    @Test
    void cursorSlotsAreWholeLinePairsOneAfterAnother() {
        assertAlignedAndDisjoint(List.of(
            new Field("position", CursorDescriptor.POSITION_OFFSET, 8),
            new Field("state", CursorDescriptor.STATE_OFFSET, 4)), CursorDescriptor.EXTENSION_OFFSET);
        assertTrue(CursorDescriptor.EXTENSION_OFFSET < CursorDescriptor.SLOT_LENGTH);
        assertEquals(0, CursorDescriptor.SLOT_LENGTH % LINE_PAIR, "a slot shares a line pair with its neighbour");
        assertEquals(RingDescriptor.CURSORS_OFFSET, RingDescriptor.cursorOffset(0));
        for (int i = 1; i <= RingDescriptor.MAX_CURSORS; i++) {
            long step = RingDescriptor.cursorOffset(i) - RingDescriptor.cursorOffset(i - 1);
            assertEquals(CursorDescriptor.SLOT_LENGTH, step);
            assertEquals(0, RingDescriptor.cursorOffset(i) % LINE_PAIR);
        }
        // Zeroed memory must read as free slots: format zero-fills and expects exactly that.
        assertEquals(0, CursorDescriptor.FREE);
        assertEquals(3, Arrays.stream(new int[] {CursorDescriptor.FREE, CursorDescriptor.JOINING,
            CursorDescriptor.ACTIVE}).distinct().count());
    }

    @Test
    void recordHeaderFitsTheAlignmentSoPaddingAlwaysFitsBeforeTheWrap() {
        assertAlignedAndDisjoint(List.of(
            new Field("length", RecordDescriptor.LENGTH_OFFSET, 4),
            new Field("type", RecordDescriptor.TYPE_OFFSET, 4),
            new Field("stamp", RecordDescriptor.STAMP_OFFSET, 8)), RecordDescriptor.HEADER_LENGTH);
        assertEquals(1, Integer.bitCount(RecordDescriptor.ALIGNMENT));
        // The space before the wrap is a multiple of ALIGNMENT and never zero: a header must fit in it.
        assertTrue(RecordDescriptor.HEADER_LENGTH <= RecordDescriptor.ALIGNMENT);
        assertEquals(0, RecordDescriptor.HEADER_LENGTH % RecordDescriptor.ALIGNMENT);
        assertTrue(RecordDescriptor.PADDING_TYPE < 0);
        for (int length = 0; length <= 100_000; length++) {
            int record = RecordDescriptor.recordLength(length);
            assertEquals(0, record % RecordDescriptor.ALIGNMENT);
            assertTrue(record >= RecordDescriptor.HEADER_LENGTH + length);
            assertTrue(record < RecordDescriptor.HEADER_LENGTH + length + RecordDescriptor.ALIGNMENT);
            assertEquals(length % RecordDescriptor.ALIGNMENT == 0, RecordDescriptor.isAligned(length));
        }
    }

    @Test
    void dataAreaFollowsTheLastSlotAndRequiredLengthIsSummedIn64Bits() {
        for (int cursors : new int[] {1, 2, 63, 64, 65, 1000, RingDescriptor.MAX_CURSORS}) {
            long data = RingDescriptor.dataOffset(cursors);
            assertEquals(RingDescriptor.cursorOffset(cursors - 1) + CursorDescriptor.SLOT_LENGTH, data);
            assertEquals(0, data % LINE_PAIR, "the data area starts on its own line pair");
            for (int capacity : new int[] {RingDescriptor.MIN_CAPACITY, 1 << 20, RingDescriptor.MAX_CAPACITY}) {
                long required = RingDescriptor.requiredLength(capacity, cursors);
                assertEquals(data + capacity, required);
                assertEquals(required, new RingConfig().capacity(capacity).maxCursors(cursors).requiredLength());
            }
        }
        long largest = RingDescriptor.requiredLength(RingDescriptor.MAX_CAPACITY, RingDescriptor.MAX_CURSORS);
        assertTrue(largest > RingDescriptor.MAX_CAPACITY, "overflowed: " + largest);
    }

    /** A segment of exactly requiredLength holds every slot and every data byte; one byte less is refused. */
    @Test
    void aRingFitsExactlyInRequiredLength() {
        RingConfig config = new RingConfig().capacity(1024).maxCursors(3).producerMode(ProducerMode.SINGLE)
            .initialPosition(1024 - 48);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment exact = arena.allocate(config.requiredLength(), 64);
            Ring ring = Ring.format(exact, config);
            assertEquals(0, ring.activeCursors());
            RingReader[] readers = {ring.newReader(), ring.newReader(), ring.newReader()};
            RingWriter writer = ring.newWriter();
            assertEquals(1024 - 48, writer.offer(1, new byte[32], 0, 32), "a record ending at the last data byte");
            assertTrue(writer.offer(2, new byte[100], 0, 100) >= 0);
            for (RingReader reader : readers) {
                assertEquals(2, reader.poll((t, b, o, l) -> { }, 10));
            }
            MemorySegment short1 = arena.allocate(config.requiredLength() - 1, 64);
            assertThrows(IllegalArgumentException.class, () -> Ring.format(short1, config));
            MemorySegment unaligned = arena.allocate(config.requiredLength() + 8, 64).asSlice(4);
            assertThrows(IllegalArgumentException.class, () -> Ring.format(unaligned, config));
        }
    }

    /**
     * Stamps are what tells a record of this lap from bytes of an earlier one, and from zeroed
     * memory: never 0, and distinct for distinct aligned positions, including the same offset in
     * a million different laps and the last positions below 2^63.
     */
    @Test
    void stampsAreNeverZeroAndDistinctOverManyPositions() {
        int window = 1 << 17;
        long[] starts = {0, (1L << 31) - window * 8L, (1L << 32) - window * 8L, 1L << 62,
            (Long.MAX_VALUE & -16) - (window - 1) * 16L};
        long[] stamps = new long[starts.length * window + (1 << 20)];
        int n = 0;
        for (long start : starts) {
            for (int i = 0; i < window; i++) {
                stamps[n++] = RecordDescriptor.stampOf(start + 16L * i);
            }
        }
        for (int lap = 0; lap < 1 << 20; lap++) {
            // the same data-area offset lap after lap, in a range no window above covers
            stamps[n++] = RecordDescriptor.stampOf((1L << 40) + 48 + (long) lap * 4096 * 5);
        }
        for (long stamp : stamps) {
            assertNotEquals(0, stamp);
        }
        Arrays.sort(stamps);
        for (int i = 1; i < stamps.length; i++) {
            if (stamps[i] == stamps[i - 1]) {
                fail("two positions share the stamp 0x" + Long.toHexString(stamps[i]));
            }
        }
        assertNotEquals(0, RecordDescriptor.stampOf(Long.MAX_VALUE & -16));
    }

    @Test
    void configDefaults() {
        RingConfig config = new RingConfig().conclude();
        assertEquals(RingConfig.DEFAULT_CAPACITY, config.capacity());
        assertEquals(1 << 20, RingConfig.DEFAULT_CAPACITY);
        assertEquals(RingConfig.DEFAULT_CAPACITY / 8, config.maxMessageLength());
        assertEquals(RingConfig.DEFAULT_MAX_CURSORS, config.maxCursors());
        assertEquals(ProducerMode.MANY, config.producerMode());
        assertEquals(0, config.initialPosition());
        for (int capacity = RingDescriptor.MIN_CAPACITY; capacity > 0; capacity <<= 1) {
            assertEquals(capacity / 8, new RingConfig().capacity(capacity).conclude().maxMessageLength());
            assertEquals(100, new RingConfig().capacity(capacity).maxMessageLength(100).conclude().maxMessageLength());
        }
        assertSame(config, config.conclude());
        assertEquals(RingConfig.DEFAULT_CAPACITY / 8, config.conclude().maxMessageLength());
    }

    private static void assertRejected(String field, Consumer<RingConfig> setting) {
        RingConfig config = new RingConfig().capacity(4096);
        setting.accept(config);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, config::conclude);
        assertTrue(e.getMessage().contains(field), "message does not name " + field + ": " + e.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(1 << 16, 64);
            assertThrows(IllegalArgumentException.class, () -> Ring.format(segment, config));
        }
    }

    @Test
    void concludeRejectsEachBadValueWithIllegalArgumentException() {
        for (int capacity : new int[] {0, -1, -4096, 1000, 1023, 4097, 3 << 10, RingDescriptor.MIN_CAPACITY / 2,
            RingDescriptor.MAX_CAPACITY << 1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertRejected("capacity", c -> c.capacity(capacity));
        }
        for (int length : new int[] {-1, 4096 / 8 + 1, 4096, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertRejected("maxMessageLength", c -> c.maxMessageLength(length));
        }
        for (int cursors : new int[] {0, -1, RingDescriptor.MAX_CURSORS + 1, Integer.MIN_VALUE}) {
            assertRejected("maxCursors", c -> c.maxCursors(cursors));
        }
        assertRejected("producerMode", c -> c.producerMode(null));
        long highest = (Long.MAX_VALUE - 2L * 4096) & -RecordDescriptor.ALIGNMENT;
        for (long initial : new long[] {-16, -1, 1, 8, 4104, highest + 16, Long.MAX_VALUE & -16, Long.MAX_VALUE,
            Long.MIN_VALUE}) {
            assertRejected("initialPosition", c -> c.initialPosition(initial));
        }
        // The limits themselves are accepted.
        new RingConfig().capacity(RingDescriptor.MIN_CAPACITY).maxMessageLength(1).maxCursors(1).conclude();
        new RingConfig().capacity(RingDescriptor.MAX_CAPACITY).maxMessageLength(RingDescriptor.MAX_CAPACITY / 8)
            .maxCursors(RingDescriptor.MAX_CURSORS).conclude();
        assertEquals(highest, new RingConfig().capacity(4096).initialPosition(highest).conclude().initialPosition());
    }

    /**
     * A config changed after conclude() must be validated and defaulted again: otherwise the change
     * skips validation, and format() writes a header that its own validation calls corrupt.
     */
    @Test
    void aConfigChangedAfterConcludeIsValidatedAndDefaultedAgain() {
        RingConfig config = new RingConfig().capacity(4096);
        assertEquals(512, config.conclude().maxMessageLength());
        config.capacity(1000);
        assertThrows(IllegalArgumentException.class, config::conclude);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(1 << 16, 64);
            assertThrows(IllegalArgumentException.class, () -> Ring.format(segment, config));
            config.capacity(8192);
            assertEquals(1024, config.conclude().maxMessageLength(), "the default follows the capacity");
            config.capacity(1024);
            Ring ring = Ring.format(segment, config);
            assertEquals(128, ring.maxMessageLength());
            config.maxCursors(0);
            assertThrows(IllegalArgumentException.class, () -> Ring.format(segment, config));
        }
    }
}
