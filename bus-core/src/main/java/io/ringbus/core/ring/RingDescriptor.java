package io.ringbus.core.ring;

import static io.ringbus.core.ring.RecordDescriptor.ALIGNMENT;

import io.ringbus.core.CorruptRingException;
import io.ringbus.core.ring.internal.Memory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Layout of a ring in one {@link MemorySegment}: a header, the cursor slots, then the data area.
 *
 * <pre>
 *   0                    8          12         16         20         24         28         32
 *   +--------------------+----------+----------+----------+----------+----------+----------+
 *   | magic (long)       | version  | capacity | max msg  | cursors  | producer | byte     |
 *   |                    | (int)    | (int)    | len (int)| (int)    | mode(int)| order    |
 *   +--------------------+----------+----------+----------+----------+----------+----------+
 *   32                   40         44         48                   56                   64
 *   +--------------------+----------+----------+--------------------+--------------------+
 *   | initial position   | cursor   | reserved | committed head     | stamp salt         |
 *   | (long)             | high mark|          | (long)             | (long)             |
 *   +--------------------+----------+----------+--------------------+--------------------+
 *   64                   72                                                            128
 *   +--------------------+-------------------------------------------------------------+
 *   | published limit    | reserved                                                    |
 *   | (long)             |                                                             |
 *   +--------------------+-------------------------------------------------------------+
 *   128: tail (long), alone on two cache lines ............................................ 256
 *   256: cursor slots, cursors x CursorDescriptor.SLOT_LENGTH
 *   256 + cursors x 128: data area, capacity bytes
 * </pre>
 *
 * <ul>
 *   <li><b>magic</b> is written last, with release ordering, by {@code format}: a ring whose magic
 *       is present is fully initialised.</li>
 *   <li><b>byte order</b> holds {@link #BYTE_ORDER_MARK} in the writer's native order.</li>
 *   <li><b>cursor high mark</b>: one more than the highest slot index ever taken; producers scan
 *       only that many slots.</li>
 *   <li><b>committed head</b>: a record boundary below which every record is committed (or padded),
 *       never above a pending claim. Producers never claim past it plus the capacity, so a claimed
 *       but uncommitted record is never lapped. While cursors are active, no claim is pending below
 *       the slowest one (readers stop at pending records and join at or below the first), so
 *       producers just raise the head to it; with no cursor they advance it by walking commit
 *       stamps. A joining reader starts at the first pending record, if any, found the same way.</li>
 *   <li><b>stamp salt</b>: random, chosen by {@code format}, its low four bits zero; every commit stamp
 *       and claim marker is XORed with it, so payload bytes (which a publisher, or a remote client
 *       behind a bridge, chooses) cannot be crafted to pass for a committed record of a later lap.</li>
 *   <li><b>published limit</b>: the highest claim limit any producer has cached (raised by
 *       compare-and-set, never lowered). A producer raises it <em>before</em> its last look at the
 *       cursors, and a joining reader reads it <em>after</em> making its cursor ACTIVE: either the
 *       producer's look sees the cursor, or the reader sees the limit and starts no lower than
 *       {@code limit - capacity}, where no producer may write. See {@link CursorDescriptor}.
 *       Producers cache at most {@link Ring#limitReserve()} bytes past the tail they observed,
 *       which bounds how much of the oldest data an {@code earliest} join has to leave out.</li>
 *   <li><b>tail</b>: the next position a producer will claim. Single producer: written with release
 *       ordering by its only writer. Many producers: claimed by compare-and-set.</li>
 * </ul>
 */
public final class RingDescriptor {
    /** "RINGBUS1" in ASCII, read as a big-endian long. */
    public static final long MAGIC = 0x52494E4742555331L;
    /**
     * Layout version; bumped on any incompatible change to these descriptors. Version 2 added the
     * published limit: a version-1 producer would not publish it, so version-1 files are refused.
     */
    public static final int LAYOUT_VERSION = 2;
    /** Stored in native order by the creator; a reader of the other byte order sees it reversed. */
    public static final int BYTE_ORDER_MARK = 0x01020304;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int CAPACITY_OFFSET = 12;
    public static final int MAX_MESSAGE_LENGTH_OFFSET = 16;
    public static final int MAX_CURSORS_OFFSET = 20;
    public static final int PRODUCER_MODE_OFFSET = 24;
    public static final int BYTE_ORDER_OFFSET = 28;
    public static final int INITIAL_POSITION_OFFSET = 32;
    public static final int CURSOR_HIGH_MARK_OFFSET = 40;
    public static final int COMMITTED_HEAD_OFFSET = 48;
    public static final int STAMP_SALT_OFFSET = 56;
    public static final int PUBLISHED_LIMIT_OFFSET = 64;

    /** The tail sits alone on its own pair of cache lines. */
    public static final int TAIL_OFFSET = 128;
    /** First cursor slot. */
    public static final int CURSORS_OFFSET = 256;

    /** Smallest capacity accepted. */
    public static final int MIN_CAPACITY = 1024;
    /** Largest capacity accepted (1 GiB): offsets stay within an int. */
    public static final int MAX_CAPACITY = 1 << 30;
    /** Most cursor slots a ring may have. */
    public static final int MAX_CURSORS = 4096;

    private RingDescriptor() {
    }

    /** Offset of cursor slot {@code index}. */
    public static long cursorOffset(int index) {
        return CURSORS_OFFSET + (long) index * CursorDescriptor.SLOT_LENGTH;
    }

    /** Offset of the data area for a ring with {@code maxCursors} slots. */
    public static long dataOffset(int maxCursors) {
        return CURSORS_OFFSET + (long) maxCursors * CursorDescriptor.SLOT_LENGTH;
    }

    /** Bytes of segment a ring of this shape needs, computed in 64 bits. */
    public static long requiredLength(int capacity, int maxCursors) {
        return dataOffset(maxCursors) + capacity;
    }

    /**
     * Validates the header of {@code segment} before anything else in it is trusted: magic, version,
     * byte order, each size in range, and every size summed in 64 bits against the segment length.
     *
     * @throws CorruptRingException naming the first field found wrong
     */
    public static void validate(MemorySegment segment) {
        long size = segment.byteSize();
        if (size < CURSORS_OFFSET) {
            throw corrupt(segment, "is " + size + " bytes, smaller than a ring header (" + CURSORS_OFFSET + ")");
        }
        long magic = Memory.getLongAcquire(segment, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw corrupt(segment, "has magic 0x" + Long.toHexString(magic) + ", not a ring (0x"
                + Long.toHexString(MAGIC) + "); it was never formatted or was overwritten");
        }
        int byteOrder = segment.get(ValueLayout.JAVA_INT, BYTE_ORDER_OFFSET);
        if (byteOrder != BYTE_ORDER_MARK) {
            throw corrupt(segment, "was written in another byte order than this JVM's " + ByteOrder.nativeOrder());
        }
        int version = segment.get(ValueLayout.JAVA_INT, VERSION_OFFSET);
        if (version != LAYOUT_VERSION) {
            throw corrupt(segment, "has layout version " + version + "; this ringbus reads version " + LAYOUT_VERSION);
        }
        int capacity = segment.get(ValueLayout.JAVA_INT, CAPACITY_OFFSET);
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw corrupt(segment, "has capacity " + capacity + ", not a power of two in ["
                + MIN_CAPACITY + ", " + MAX_CAPACITY + "]");
        }
        int maxMessageLength = segment.get(ValueLayout.JAVA_INT, MAX_MESSAGE_LENGTH_OFFSET);
        if (maxMessageLength < 1 || maxMessageLength > capacity / 8) {
            throw corrupt(segment, "has maximum message length " + maxMessageLength + ", outside [1, capacity/8]");
        }
        int maxCursors = segment.get(ValueLayout.JAVA_INT, MAX_CURSORS_OFFSET);
        if (maxCursors < 1 || maxCursors > MAX_CURSORS) {
            throw corrupt(segment, "has " + maxCursors + " cursor slots, outside [1, " + MAX_CURSORS + "]");
        }
        int mode = segment.get(ValueLayout.JAVA_INT, PRODUCER_MODE_OFFSET);
        if (ProducerMode.fromCode(mode) == null) {
            throw corrupt(segment, "has unknown producer mode " + mode);
        }
        long initial = segment.get(ValueLayout.JAVA_LONG, INITIAL_POSITION_OFFSET);
        if (initial < 0 || (initial & (ALIGNMENT - 1)) != 0) {
            throw corrupt(segment, "has initial position " + initial + ", negative or not " + ALIGNMENT
                + "-byte aligned");
        }
        long committedHead = segment.get(ValueLayout.JAVA_LONG, COMMITTED_HEAD_OFFSET);
        if (committedHead < initial || (committedHead & (ALIGNMENT - 1)) != 0) {
            throw corrupt(segment, "has committed head " + committedHead + ", below the initial position or not "
                + ALIGNMENT + "-byte aligned");
        }
        long salt = segment.get(ValueLayout.JAVA_LONG, STAMP_SALT_OFFSET);
        if ((salt & (ALIGNMENT - 1)) != 0) {
            throw corrupt(segment, "has a stamp salt whose low bits are set");
        }
        long required = requiredLength(capacity, maxCursors);
        if (required > size) {
            throw corrupt(segment, "needs " + required + " bytes for its capacity and cursors but is only " + size
                + " (truncated?)");
        }
    }

    private static CorruptRingException corrupt(MemorySegment segment, String what) {
        return new CorruptRingException("Ring segment at 0x" + Long.toHexString(segment.address()) + " " + what
            + ". Remove it and let the creator make it again.");
    }
}
