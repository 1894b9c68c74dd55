package io.ringbus.core.ring;

import static io.ringbus.core.ring.RingDescriptor.BYTE_ORDER_OFFSET;
import static io.ringbus.core.ring.RingDescriptor.CAPACITY_OFFSET;
import static io.ringbus.core.ring.RingDescriptor.INITIAL_POSITION_OFFSET;
import static io.ringbus.core.ring.RingDescriptor.MAGIC_OFFSET;
import static io.ringbus.core.ring.RingDescriptor.MAX_CURSORS_OFFSET;
import static io.ringbus.core.ring.RingDescriptor.MAX_MESSAGE_LENGTH_OFFSET;
import static io.ringbus.core.ring.RingDescriptor.PRODUCER_MODE_OFFSET;
import static io.ringbus.core.ring.RingDescriptor.VERSION_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.CorruptRingException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Ring#wrap} trusts nothing in the header: every field out of range, and every segment too
 * short for what the header claims, is a {@link CorruptRingException} (never another exception).
 */
class RingHeaderValidationTest {
    private static final int CAPACITY = 4096;
    private static final int CURSORS = 4;
    private static final RingConfig CONFIG = new RingConfig().capacity(CAPACITY).maxCursors(CURSORS);

    private static UnaryOperator<MemorySegment> setInt(long offset, int value) {
        return segment -> {
            segment.set(ValueLayout.JAVA_INT, offset, value);
            return segment;
        };
    }

    private static UnaryOperator<MemorySegment> setLong(long offset, long value) {
        return segment -> {
            segment.set(ValueLayout.JAVA_LONG, offset, value);
            return segment;
        };
    }

    private static UnaryOperator<MemorySegment> slice(long length) {
        return segment -> segment.asSlice(0, length);
    }

    static Stream<Arguments> garbage() {
        long required = CONFIG.requiredLength();
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("never formatted (zeroes)", (UnaryOperator<MemorySegment>) s -> s.fill((byte) 0)));
        cases.add(Arguments.of("magic 0", setLong(MAGIC_OFFSET, 0)));
        cases.add(Arguments.of("magic off by one", setLong(MAGIC_OFFSET, RingDescriptor.MAGIC + 1)));
        cases.add(Arguments.of("magic byte-swapped", setLong(MAGIC_OFFSET, Long.reverseBytes(RingDescriptor.MAGIC))));
        cases.add(Arguments.of("version 0", setInt(VERSION_OFFSET, 0)));
        cases.add(Arguments.of("version 1 (producers did not publish their limits)", setInt(VERSION_OFFSET, 1)));
        cases.add(Arguments.of("version next", setInt(VERSION_OFFSET, RingDescriptor.LAYOUT_VERSION + 1)));
        cases.add(Arguments.of("version -1", setInt(VERSION_OFFSET, -1)));
        cases.add(Arguments.of("byte order swapped",
            setInt(BYTE_ORDER_OFFSET, Integer.reverseBytes(RingDescriptor.BYTE_ORDER_MARK))));
        cases.add(Arguments.of("byte order 0", setInt(BYTE_ORDER_OFFSET, 0)));
        for (int capacity : new int[] {0, -CAPACITY, CAPACITY - 1, CAPACITY + 16, 3 * 1024, 512, 1,
            Integer.MIN_VALUE, Integer.MAX_VALUE, RingDescriptor.MAX_CAPACITY * 2}) {
            cases.add(Arguments.of("capacity " + capacity, setInt(CAPACITY_OFFSET, capacity)));
        }
        cases.add(Arguments.of("capacity larger than the segment", setInt(CAPACITY_OFFSET, 2 * CAPACITY)));
        cases.add(Arguments.of("capacity 1 GiB in a small segment",
            setInt(CAPACITY_OFFSET, RingDescriptor.MAX_CAPACITY)));
        for (int length : new int[] {0, -1, CAPACITY / 8 + 1, CAPACITY, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            cases.add(Arguments.of("max message length " + length, setInt(MAX_MESSAGE_LENGTH_OFFSET, length)));
        }
        for (int cursors : new int[] {0, -1, RingDescriptor.MAX_CURSORS + 1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            cases.add(Arguments.of("cursors " + cursors, setInt(MAX_CURSORS_OFFSET, cursors)));
        }
        cases.add(Arguments.of("one cursor more than the segment holds", setInt(MAX_CURSORS_OFFSET, CURSORS + 1)));
        cases.add(Arguments.of("4096 cursors in a small segment",
            setInt(MAX_CURSORS_OFFSET, RingDescriptor.MAX_CURSORS)));
        for (int mode : new int[] {0, 3, -1, Integer.MAX_VALUE}) {
            cases.add(Arguments.of("producer mode " + mode, setInt(PRODUCER_MODE_OFFSET, mode)));
        }
        for (long initial : new long[] {-16, 8, 1, Long.MIN_VALUE}) {
            cases.add(Arguments.of("initial position " + initial, setLong(INITIAL_POSITION_OFFSET, initial)));
        }
        cases.add(Arguments.of("truncated by one byte", slice(required - 1)));
        cases.add(Arguments.of("truncated to header and cursors", slice(RingDescriptor.dataOffset(CURSORS))));
        cases.add(Arguments.of("truncated to the header", slice(RingDescriptor.CURSORS_OFFSET)));
        for (long length : new long[] {RingDescriptor.CURSORS_OFFSET - 1, 48, 16, 8, 7, 0}) {
            cases.add(Arguments.of("segment of " + length + " bytes", slice(length)));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbage")
    void wrapRejectsGarbageWithCorruptRingException(String name, UnaryOperator<MemorySegment> damage) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(CONFIG.requiredLength(), 64);
            Ring.format(segment, CONFIG);
            assertNotNull(Ring.wrap(segment), "the undamaged ring wraps");
            MemorySegment damaged = damage.apply(segment);
            CorruptRingException e = assertThrows(CorruptRingException.class, () -> Ring.wrap(damaged));
            assertNotNull(e.getMessage());
            assertTrue(e.getMessage().contains("recreate") || e.getMessage().contains("make it again"),
                "the message says what to do: " + e.getMessage());
        }
    }

    /** The wrapped view keeps what it validated; writes to the header afterwards change nothing it trusts. */
    @Test
    void aWrappedRingKeepsTheShapeItValidated() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(CONFIG.requiredLength(), 64);
            Ring.format(segment, CONFIG);
            Ring ring = Ring.wrap(segment);
            segment.set(ValueLayout.JAVA_INT, CAPACITY_OFFSET, RingDescriptor.MAX_CAPACITY);
            segment.set(ValueLayout.JAVA_INT, MAX_MESSAGE_LENGTH_OFFSET, Integer.MAX_VALUE);
            segment.set(ValueLayout.JAVA_INT, MAX_CURSORS_OFFSET, Integer.MAX_VALUE);
            assertEquals(CAPACITY, ring.capacity());
            assertEquals(CAPACITY / 8, ring.maxMessageLength());
            assertEquals(CURSORS, ring.maxCursors());
            RingWriter writer = ring.newWriter();
            RingReader reader = ring.newReader();
            assertThrows(IllegalArgumentException.class, () -> writer.tryClaim(0, CAPACITY / 8 + 1));
            assertTrue(writer.offer(3, new byte[CAPACITY / 8], 0, CAPACITY / 8) >= 0);
            int[] lengths = new int[1];
            assertEquals(1, reader.poll((t, b, o, l) -> lengths[0] = l, 10));
            assertEquals(CAPACITY / 8, lengths[0]);
        }
    }

    /**
     * Random headers: each field gets a random or boundary value (and sometimes the right one). Wrap
     * either throws CorruptRingException or returns a ring whose shape is legal and fits the segment,
     * and which then works.
     */
    @Test
    void randomHeadersAreRejectedOrConsistent() {
        Random random = new Random(0xC0FFEE);
        int accepted = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(CONFIG.requiredLength() + 3 * CAPACITY, 64);
            for (int i = 0; i < 3000; i++) {
                Ring.format(segment, CONFIG);
                if (random.nextInt(4) == 0) {
                    setInt(CAPACITY_OFFSET, pick(random, CAPACITY, 2 * CAPACITY, 1024, 8 * CAPACITY)).apply(segment);
                }
                if (random.nextInt(4) == 0) {
                    setInt(MAX_MESSAGE_LENGTH_OFFSET, pick(random, 1, 128, 256, 1024)).apply(segment);
                }
                if (random.nextInt(4) == 0) {
                    setInt(MAX_CURSORS_OFFSET, pick(random, 1, CURSORS, 16, 64)).apply(segment);
                }
                if (random.nextInt(6) == 0) {
                    setInt(PRODUCER_MODE_OFFSET, pick(random, 1, 2, 0, 3)).apply(segment);
                }
                if (random.nextInt(8) == 0) {
                    setInt(VERSION_OFFSET, pick(random, 1, 1, 0, 2)).apply(segment);
                }
                if (random.nextInt(8) == 0) {
                    setLong(INITIAL_POSITION_OFFSET, random.nextLong()).apply(segment);
                }
                if (random.nextInt(10) == 0) {
                    setInt(BYTE_ORDER_OFFSET, random.nextInt()).apply(segment);
                }
                MemorySegment view = random.nextInt(5) == 0 ? segment.asSlice(0, random.nextLong(segment.byteSize()))
                    : segment;
                Ring ring;
                try {
                    ring = Ring.wrap(view);
                } catch (CorruptRingException expected) {
                    continue;
                }
                accepted++;
                assertEquals(1, Integer.bitCount(ring.capacity()));
                assertTrue(ring.capacity() >= RingDescriptor.MIN_CAPACITY);
                assertTrue(ring.maxMessageLength() >= 1 && ring.maxMessageLength() <= ring.capacity() / 8);
                assertTrue(ring.maxCursors() >= 1 && ring.maxCursors() <= RingDescriptor.MAX_CURSORS);
                assertTrue(RingDescriptor.requiredLength(ring.capacity(), ring.maxCursors()) <= view.byteSize());
                assertNotNull(ring.producerMode());
                RingWriter writer = ring.newWriter();
                RingReader reader = ring.newReader();
                assertTrue(writer.offer(1, new byte[ring.maxMessageLength()], 0, ring.maxMessageLength()) >= 0);
                assertEquals(1, reader.poll((t, b, o, l) -> { }, 5));
            }
        }
        assertTrue(accepted > 100, "only " + accepted + " headers accepted");
    }

    private static int pick(Random random, int usual, int a, int b, int c) {
        return switch (random.nextInt(6)) {
            case 0 -> a;
            case 1 -> b;
            case 2 -> c;
            case 3 -> random.nextInt();
            default -> usual;
        };
    }
}
