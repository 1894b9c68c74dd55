package io.ringbus.stress.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.RecordDescriptor;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingConfig;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import io.ringbus.core.ring.internal.RingSlots;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Ring header validation ({@link Ring#wrap}, {@link RingDescriptor#validate}): a valid ring of a
 * random shape, then one to five of its header words (every field, the tail, the high mark, the
 * committed head, the salt, the reserved words) set to boundary or random values, raw bytes
 * damaged, and sometimes the segment cut short. Wrap must reject it with a typed error or return a
 * ring whose shape is legal and fits the segment; on an accepted ring, a writer, a reader, an offer
 * and a poll must again end in a valid result or a typed error.
 */
final class RingHeaderFuzz implements FuzzTarget {
    private static final int MAX_CAPACITY = 4096;
    private static final int MAX_CURSORS = 4;
    private static final String[] INT_FIELDS = {"version", "capacity", "maxMessageLength", "maxCursors",
        "producerMode", "byteOrder", "cursorHighMark", "reserved44"};
    private static final long[] INT_OFFSETS = {RingDescriptor.VERSION_OFFSET, RingDescriptor.CAPACITY_OFFSET,
        RingDescriptor.MAX_MESSAGE_LENGTH_OFFSET, RingDescriptor.MAX_CURSORS_OFFSET,
        RingDescriptor.PRODUCER_MODE_OFFSET, RingDescriptor.BYTE_ORDER_OFFSET, RingDescriptor.CURSOR_HIGH_MARK_OFFSET,
        44};
    private static final String[] LONG_FIELDS = {"magic", "initialPosition", "committedHead", "stampSalt", "tail"};
    private static final long[] LONG_OFFSETS = {RingDescriptor.MAGIC_OFFSET, RingDescriptor.INITIAL_POSITION_OFFSET,
        RingDescriptor.COMMITTED_HEAD_OFFSET, RingDescriptor.STAMP_SALT_OFFSET, RingDescriptor.TAIL_OFFSET};

    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory = arena.allocate(RingDescriptor.requiredLength(4 * MAX_CAPACITY,
        4 * MAX_CURSORS), 64);

    @Override
    public String name() {
        return "ring-header";
    }

    @Override
    public void fuzzOne(FuzzInput in) {
        RingConfig config = Shapes.ringConfig(in, MAX_CAPACITY, MAX_CURSORS);
        MemorySegment segment = memory.asSlice(0, config.requiredLength() + 16L * in.nextInt(3 * MAX_CAPACITY / 16));
        Ring.format(segment, config);
        for (int n = 1 + in.nextInt(5); n > 0; n--) {
            int which = in.nextInt(INT_FIELDS.length + LONG_FIELDS.length + 1);
            if (which < INT_FIELDS.length) {
                in.mutateInt(segment, INT_OFFSETS[which], INT_FIELDS[which]);
            } else if (which < INT_FIELDS.length + LONG_FIELDS.length) {
                int field = which - INT_FIELDS.length;
                in.mutateLong(segment, LONG_OFFSETS[field], LONG_FIELDS[field]);
            } else {
                in.scribble(segment, 0, RingDescriptor.CURSORS_OFFSET, "header bytes");
            }
        }
        MemorySegment view = segment;
        if (in.oneIn(5)) {
            long length = in.oneIn(2) ? in.nextLong(segment.byteSize()) : segment.byteSize() - 1 - in.nextInt(64);
            view = segment.asSlice(0, Math.max(0, length));
            in.note("segment cut to " + view.byteSize() + " of " + segment.byteSize() + " bytes");
        }
        Ring ring = Ring.wrap(view);
        assertEquals(1, Integer.bitCount(ring.capacity()));
        assertTrue(ring.capacity() >= RingDescriptor.MIN_CAPACITY && ring.capacity() <= RingDescriptor.MAX_CAPACITY);
        assertTrue(ring.maxMessageLength() >= 1 && ring.maxMessageLength() <= ring.capacity() / 8);
        assertTrue(ring.maxCursors() >= 1 && ring.maxCursors() <= RingDescriptor.MAX_CURSORS);
        assertTrue(RingDescriptor.requiredLength(ring.capacity(), ring.maxCursors()) <= view.byteSize(),
            "accepted a ring that does not fit its segment");
        assertTrue(ring.initialPosition() >= 0 && RecordDescriptor.isAligned(ring.initialPosition()));
        assertNotNull(ring.producerMode());
        exercise(in, ring);
    }

    /** A writer, a reader, an offer and a poll on an accepted ring. */
    private static void exercise(FuzzInput in, Ring ring) {
        RingWriter writer = ring.producerMode() == ProducerMode.SINGLE || in.oneIn(2)
            ? ring.newWriter() : RingSlots.newWriter(ring, in.nextInt(1 << 20), null);
        try (RingReader reader = ring.newReader()) {
            int length = in.nextInt(ring.maxMessageLength() + 1);
            long position = writer.offer(1, new byte[length], 0, length);
            Checks.result(position);
            long tail = ring.tail();
            int delivered = reader.poll(Checks.inRange(ring), 4);
            assertTrue(delivered >= 0 && delivered <= 4);
            assertTrue(reader.position() <= tail, "reader passed the tail");
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
