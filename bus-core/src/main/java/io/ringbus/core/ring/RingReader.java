package io.ringbus.core.ring;

import static io.ringbus.core.ring.RecordDescriptor.HEADER_LENGTH;
import static io.ringbus.core.ring.RecordDescriptor.LENGTH_OFFSET;
import static io.ringbus.core.ring.RecordDescriptor.PADDING_TYPE;
import static io.ringbus.core.ring.RecordDescriptor.STAMP_OFFSET;
import static io.ringbus.core.ring.RecordDescriptor.TYPE_OFFSET;

import io.ringbus.core.CorruptRingException;
import io.ringbus.core.RingBusException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One reader of a ring with its own cursor slot: it sees every record committed at or after its
 * start position, in position order, and holds producers back while it is open. Any number of
 * readers (up to the ring's cursor slots) read the same records independently.
 *
 * <p>Not thread-safe: one thread polls a reader at a time. Close it to release its slot; a reader
 * left open holds producers back forever.
 *
 * <p>Safety against whatever another process writes into the ring: a record is delivered only when
 * its commit stamp is the stamp of this exact position (so no byte of an earlier lap is mistaken for
 * it) and its length keeps it inside the data area and under the maximum message length. Anything
 * else raises {@link CorruptRingException} after at most one lap of records per poll; nothing out of
 * range is read.
 */
public final class RingReader implements AutoCloseable {
    private final MemorySegment segment;
    private final long dataOffset;
    private final int capacity;
    private final long mask;
    private final int maxMessageLength;
    private final long slotOffset;
    private final int slotIndex;
    private long position;
    private boolean closed;

    private RingReader(Ring ring, int slotIndex, long startPosition) {
        this.segment = ring.segment();
        this.dataOffset = ring.dataOffset();
        this.capacity = ring.capacity();
        this.mask = capacity - 1;
        this.maxMessageLength = ring.maxMessageLength();
        this.slotIndex = slotIndex;
        this.slotOffset = RingDescriptor.cursorOffset(slotIndex);
        this.position = startPosition;
    }

    /** Takes a free cursor slot and joins at the tail; see {@link CursorDescriptor} for the protocol. */
    static RingReader join(Ring ring) {
        MemorySegment segment = ring.segment();
        int index = takeFreeSlot(ring);
        raiseHighMark(segment, index + 1);
        long slot = RingDescriptor.cursorOffset(index);
        long provisional = ring.tail();
        AbstractRingWriter.checkTail(provisional);
        Memory.setLongVolatile(segment, slot + CursorDescriptor.POSITION_OFFSET, provisional);
        Memory.setIntVolatile(segment, slot + CursorDescriptor.STATE_OFFSET, CursorDescriptor.ACTIVE);
        // Any producer limit computed without this cursor came from a tail read before this one.
        long start = ring.tail();
        AbstractRingWriter.checkTail(start);
        Memory.setLongRelease(segment, slot + CursorDescriptor.POSITION_OFFSET, start);
        return new RingReader(ring, index, start);
    }

    private static int takeFreeSlot(Ring ring) {
        MemorySegment segment = ring.segment();
        for (int i = 0; i < ring.maxCursors(); i++) {
            long state = RingDescriptor.cursorOffset(i) + CursorDescriptor.STATE_OFFSET;
            if (Memory.casInt(segment, state, CursorDescriptor.FREE, CursorDescriptor.JOINING)) {
                return i;
            }
        }
        throw new RingBusException("All " + ring.maxCursors() + " cursor slots of the ring are taken. Close readers"
            + " that are done, or create the ring with more cursors (RingConfig.maxCursors).");
    }

    private static void raiseHighMark(MemorySegment segment, int atLeast) {
        while (true) {
            int mark = Memory.getIntVolatile(segment, RingDescriptor.CURSOR_HIGH_MARK_OFFSET);
            if (mark >= atLeast
                || Memory.casInt(segment, RingDescriptor.CURSOR_HIGH_MARK_OFFSET, mark, atLeast)) {
                return;
            }
        }
    }

    /**
     * Delivers up to {@code messageLimit} committed messages to {@code handler}, zero-copy, and
     * moves the cursor past them (one release store per call, not per message). Padding records
     * are skipped and not counted. Reads at most one capacity of records per call.
     *
     * @return the number of messages delivered; zero when nothing new is committed
     * @throws CorruptRingException when the next record cannot have been written by a writer of this
     *     ring; the cursor stays before it
     */
    public int poll(MessageHandler handler, int messageLimit) {
        if (closed) {
            throw new IllegalStateException("reader is closed");
        }
        final long start = position;
        long next = start;
        int count = 0;
        try {
            while (count < messageLimit && next - start < capacity) {
                long offset = next & mask;
                long record = dataOffset + offset;
                if (Memory.getLongAcquire(segment, record + STAMP_OFFSET) != RecordDescriptor.stampOf(next)) {
                    break;
                }
                int length = segment.get(ValueLayout.JAVA_INT, record + LENGTH_OFFSET);
                int typeId = segment.get(ValueLayout.JAVA_INT, record + TYPE_OFFSET);
                if (length < 0 || length > capacity - offset - HEADER_LENGTH
                    || (typeId >= 0 ? length > maxMessageLength : typeId != PADDING_TYPE)) {
                    throw corrupt(next, length, typeId);
                }
                next += RecordDescriptor.recordLength(length);
                if (typeId >= 0) {
                    count++;
                    handler.onMessage(typeId, segment, record + HEADER_LENGTH, length);
                }
            }
        } finally {
            if (next != start) {
                position = next;
                Memory.setLongRelease(segment, slotOffset + CursorDescriptor.POSITION_OFFSET, next);
            }
        }
        return count;
    }

    private CorruptRingException corrupt(long at, int length, int typeId) {
        return new CorruptRingException("Ring record at position " + at + " has length " + length + " and type "
            + typeId + ", which no writer of this ring writes (maximum message length " + maxMessageLength
            + ", capacity " + capacity + "). Another process wrote it; remove the ring and recreate it.");
    }

    /** The next position this reader will read. */
    public long position() {
        return position;
    }

    /** Index of this reader's cursor slot. */
    public int slotIndex() {
        return slotIndex;
    }

    /** Releases the cursor slot: producers stop waiting for this reader. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Memory.setIntVolatile(segment, slotOffset + CursorDescriptor.STATE_OFFSET, CursorDescriptor.FREE);
        }
    }
}
