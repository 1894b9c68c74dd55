package io.ringbus.core.ring;

import static io.ringbus.core.ring.RingDescriptor.CURSOR_HIGH_MARK_OFFSET;
import static io.ringbus.core.ring.RingDescriptor.TAIL_OFFSET;

import io.ringbus.core.CorruptRingException;
import io.ringbus.core.RingBusException;
import io.ringbus.core.ring.internal.AtomicsWarmUp;
import io.ringbus.core.ring.internal.ClaimIntent;
import io.ringbus.core.ring.internal.Memory;
import io.ringbus.core.ring.internal.RingSlots;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A validated view of a ring laid out by {@link RingDescriptor} in a {@link MemorySegment}: a mapped
 * file shared between processes, or {@code Arena} memory. The shape (capacity, cursors, producer
 * mode) is read once, validated, and kept in final fields: later scribbles on the shared header
 * cannot change what this view trusts.
 *
 * <p>Create writers with {@link #newWriter()} and readers with {@link #newReader()}.
 */
public final class Ring {
    private static final java.security.SecureRandom SALTS = new java.security.SecureRandom();

    static {
        // A ring used alone may sit in a file another process can truncate: see AtomicsWarmUp.
        AtomicsWarmUp.ensureCompiled();
        RingSlots.install(new SlotAccess());
    }
    private final MemorySegment segment;
    private final int capacity;
    private final int maxMessageLength;
    private final int maxCursors;
    private final ProducerMode producerMode;
    private final long initialPosition;
    private final long dataOffset;
    private final long stampSalt;
    private final int limitReserve;

    private Ring(MemorySegment segment) {
        if ((segment.address() & 7) != 0) {
            throw new IllegalArgumentException("ring segment at 0x" + Long.toHexString(segment.address())
                + " is not 8-byte aligned; map or allocate it on an 8-byte boundary");
        }
        RingDescriptor.validate(segment);
        this.segment = segment;
        this.capacity = segment.get(ValueLayout.JAVA_INT, RingDescriptor.CAPACITY_OFFSET);
        this.maxMessageLength = segment.get(ValueLayout.JAVA_INT, RingDescriptor.MAX_MESSAGE_LENGTH_OFFSET);
        this.maxCursors = segment.get(ValueLayout.JAVA_INT, RingDescriptor.MAX_CURSORS_OFFSET);
        int mode = segment.get(ValueLayout.JAVA_INT, RingDescriptor.PRODUCER_MODE_OFFSET);
        this.producerMode = ProducerMode.fromCode(mode);
        this.initialPosition = segment.get(ValueLayout.JAVA_LONG, RingDescriptor.INITIAL_POSITION_OFFSET);
        this.dataOffset = RingDescriptor.dataOffset(maxCursors);
        this.stampSalt = segment.get(ValueLayout.JAVA_LONG, RingDescriptor.STAMP_SALT_OFFSET);
        // Room for the largest claim (a record and the padding before it at the wrap), and at least
        // a quarter lap so that producers refresh their limit only a few times per lap.
        long largestClaim = 2L * RecordDescriptor.recordLength(maxMessageLength);
        this.limitReserve = (int) Math.min(capacity, Math.max(capacity / 4, largestClaim));
    }

    /**
     * Lays out a new ring in {@code segment} (which must be zeroed or freshly allocated and not yet
     * shared) and returns a view of it. The magic number is written last, with release ordering.
     *
     * @throws IllegalArgumentException when the config is invalid or the segment too small
     */
    public static Ring format(MemorySegment segment, RingConfig config) {
        config.conclude();
        if (segment.byteSize() < config.requiredLength()) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes is smaller than the "
                + config.requiredLength() + " this ring needs");
        }
        if ((segment.address() & 7) != 0) {
            throw new IllegalArgumentException("segment must be 8-byte aligned");
        }
        segment.asSlice(0, config.requiredLength()).fill((byte) 0);
        segment.set(ValueLayout.JAVA_INT, RingDescriptor.VERSION_OFFSET, RingDescriptor.LAYOUT_VERSION);
        segment.set(ValueLayout.JAVA_INT, RingDescriptor.CAPACITY_OFFSET, config.capacity());
        segment.set(ValueLayout.JAVA_INT, RingDescriptor.MAX_MESSAGE_LENGTH_OFFSET, config.maxMessageLength());
        segment.set(ValueLayout.JAVA_INT, RingDescriptor.MAX_CURSORS_OFFSET, config.maxCursors());
        segment.set(ValueLayout.JAVA_INT, RingDescriptor.PRODUCER_MODE_OFFSET, config.producerMode().code());
        segment.set(ValueLayout.JAVA_INT, RingDescriptor.BYTE_ORDER_OFFSET, RingDescriptor.BYTE_ORDER_MARK);
        segment.set(ValueLayout.JAVA_LONG, RingDescriptor.INITIAL_POSITION_OFFSET, config.initialPosition());
        segment.set(ValueLayout.JAVA_LONG, TAIL_OFFSET, config.initialPosition());
        segment.set(ValueLayout.JAVA_LONG, RingDescriptor.COMMITTED_HEAD_OFFSET, config.initialPosition());
        segment.set(ValueLayout.JAVA_LONG, RingDescriptor.STAMP_SALT_OFFSET,
            SALTS.nextLong() & -RecordDescriptor.ALIGNMENT);
        Memory.setLongRelease(segment, RingDescriptor.MAGIC_OFFSET, RingDescriptor.MAGIC);
        return new Ring(segment);
    }

    /**
     * A view of a ring already formatted in {@code segment}, perhaps by another process.
     *
     * @throws CorruptRingException when the header does not describe a ring that fits the segment
     */
    public static Ring wrap(MemorySegment segment) {
        return new Ring(segment);
    }

    /** The commit stamp of a record at {@code position} in this ring (salted; see {@link RingDescriptor}). */
    public long stampOf(long position) {
        return RecordDescriptor.stampOf(position) ^ stampSalt;
    }

    /** The recovered stamp (padding in place of a dead writer's claim) at {@code position}, in this ring. */
    public long recoveredStampOf(long position) {
        return RecordDescriptor.recoveredStampOf(position) ^ stampSalt;
    }

    /** Whether {@code field}, the stamp field at {@code position}, says committed or padded by recovery. */
    boolean isFinished(long field, long position) {
        return field == stampOf(position) || field == recoveredStampOf(position);
    }

    /** The claim marker of a record at {@code position} claimed by writer {@code ownerId}, in this ring. */
    public long claimMarkerOf(long position, int ownerId) {
        return RecordDescriptor.claimMarkerOf(position, ownerId) ^ stampSalt;
    }

    /** The owner named by claim marker {@code field} at {@code position} in this ring, or -1. */
    public int claimOwner(long field, long position) {
        return RecordDescriptor.claimOwner(field ^ stampSalt, position);
    }

    /** A writer of the ring's own producer mode that belongs to no publisher slot. */
    public RingWriter newWriter() {
        return newWriter(RecordDescriptor.NO_OWNER, null);
    }

    /**
     * A writer of the ring's own producer mode whose claim markers name {@code ownerId}, and which
     * records each claim's intent in {@code intent} (may be null) before it
     * competes for the tail. See {@link RecordDescriptor} and {@link ClaimIntent}.
     */
    RingWriter newWriter(int ownerId, ClaimIntent intent) {
        return producerMode == ProducerMode.SINGLE
            ? new SingleProducerWriter(this, ownerId, intent)
            : new ManyProducerWriter(this, ownerId, intent);
    }

    /**
     * A reader whose cursor starts at the tail: it sees every record claimed after it joined.
     *
     * @throws RingBusException when every cursor slot is taken
     */
    public RingReader newReader() {
        return RingReader.join(this);
    }

    /**
     * The whole segment the ring lives in (header, cursor slots and data area), as given to
     * {@link #format} or {@link #wrap}; the data area starts at {@link #dataOffset()}.
     */
    public MemorySegment segment() {
        return segment;
    }

    /** The data area's size in bytes, a power of two, as validated when this view was made. */
    public int capacity() {
        return capacity;
    }

    /** The largest payload a writer of this ring accepts, in bytes; at most capacity / 8. */
    public int maxMessageLength() {
        return maxMessageLength;
    }

    /** The number of cursor slots: at most this many readers hold a cursor at once. */
    public int maxCursors() {
        return maxCursors;
    }

    /**
     * The producer mode the ring was formatted with; every writer of this ring uses it, and with
     * {@link ProducerMode#SINGLE} only one writer may write at a time, across all processes.
     */
    public ProducerMode producerMode() {
        return producerMode;
    }

    /** The position of the ring's first record, in bytes; no position below it is ever valid. */
    public long initialPosition() {
        return initialPosition;
    }

    /** Offset of the data area within {@link #segment()}. */
    public long dataOffset() {
        return dataOffset;
    }

    /**
     * How far past the tail it observed a producer may cache its limit: a producer refreshes (and
     * looks at the cursors again) at least every this many bytes, so a reader joining at
     * {@code earliest} leaves out at most this much of the oldest data.
     */
    public int limitReserve() {
        return limitReserve;
    }

    /** The highest limit any producer has cached (volatile read); see {@link RingDescriptor}. */
    public long publishedLimit() {
        return Memory.getLongVolatile(segment, RingDescriptor.PUBLISHED_LIMIT_OFFSET);
    }

    /** Raises the published limit to {@code limit} if it is lower (compare-and-set: a full fence). */
    void publishLimit(long limit) {
        long stored = Memory.getLongVolatile(segment, RingDescriptor.PUBLISHED_LIMIT_OFFSET);
        while (stored < limit
            && !Memory.casLong(segment, RingDescriptor.PUBLISHED_LIMIT_OFFSET, stored, limit)) {
            stored = Memory.getLongVolatile(segment, RingDescriptor.PUBLISHED_LIMIT_OFFSET);
        }
    }

    /** The next position a producer will claim (volatile read). */
    public long tail() {
        return Memory.getLongVolatile(segment, TAIL_OFFSET);
    }

    /** Number of cursor slots producers scan, clamped to the validated slot count. */
    int cursorHighMark() {
        int mark = Memory.getIntVolatile(segment, CURSOR_HIGH_MARK_OFFSET);
        return Math.max(0, Math.min(mark, maxCursors));
    }

    /** What {@link #slowestCursor} returns when no cursor is active. */
    static final long NO_CURSOR = Long.MAX_VALUE;

    /** The smallest position among active cursors, as stored, or {@link #NO_CURSOR}. */
    long slowestCursor() {
        long min = NO_CURSOR;
        int highMark = cursorHighMark();
        for (int i = 0; i < highMark; i++) {
            long slot = RingDescriptor.cursorOffset(i);
            if (Memory.getIntVolatile(segment, slot + CursorDescriptor.STATE_OFFSET) == CursorDescriptor.ACTIVE) {
                min = Math.min(min, Memory.getLongVolatile(segment, slot + CursorDescriptor.POSITION_OFFSET));
            }
        }
        return min;
    }

    /**
     * The lowest position producers must not lap, from a fresh look at the ring: with active cursors,
     * the slowest of them (no claim is ever pending below an active cursor: readers stop at pending
     * records, and join at or below the first one), which also becomes the committed head; with
     * none, the first pending record, found by walking commit stamps from the committed head.
     */
    long protectedFrom(long tail) {
        long slowest = slowestCursor();
        if (slowest == NO_CURSOR) {
            return advanceCommittedHead(tail);
        }
        // A cursor outside [tail - capacity, tail] is clamped for the limit: a scribbled one can
        // stall producers but never let them lap unread records. Only an unclamped cursor, a record
        // boundary, may become the committed head (a joiner's provisional cursor can briefly lag
        // more than a lap; tail - capacity is rarely a boundary).
        long clamped = Math.min(tail, Math.max(slowest, tail - capacity));
        if (clamped == slowest && RecordDescriptor.isAligned(slowest)) {
            raiseCommittedHead(slowest);
        }
        return clamped;
    }

    /** Raises the committed head to {@code position} if it is lower; everything below is committed. */
    void raiseCommittedHead(long position) {
        long stored = Memory.getLongVolatile(segment, RingDescriptor.COMMITTED_HEAD_OFFSET);
        while (stored < position
            && !Memory.casLong(segment, RingDescriptor.COMMITTED_HEAD_OFFSET, stored, position)) {
            stored = Memory.getLongVolatile(segment, RingDescriptor.COMMITTED_HEAD_OFFSET);
        }
    }

    /**
     * Advances the committed head toward {@code upTo} by walking the commit stamps of the records
     * from it, and returns where the walk stopped: {@code upTo}, or the position of the first record
     * not yet committed (below the tail). At most {@code upTo - head} bytes of records are walked.
     *
     * A record whose length cannot be right stops the walk like a pending one: writers are held
     * back there, and readers that reach it report the corruption.
     *
     * @throws CorruptRingException when the stored head cannot be a record boundary of this ring
     */
    long advanceCommittedHead(long upTo) {
        long stored = Memory.getLongVolatile(segment, RingDescriptor.COMMITTED_HEAD_OFFSET);
        if (!RecordDescriptor.isAligned(stored) || stored < initialPosition) {
            throw new CorruptRingException("Ring committed head is " + stored + ", not a record boundary of this"
                + " ring; another process wrote it. Remove the ring and recreate it.");
        }
        long head = stored;
        long mask = capacity - 1;
        while (head < upTo) {
            long record = dataOffset + (head & mask);
            if (!isFinished(Memory.getLongAcquire(segment, record + RecordDescriptor.STAMP_OFFSET), head)) {
                // Not committed, or already overwritten by a later lap: a producer only overwrites a
                // position after storing a head above it, and the acquire load above made that
                // store visible. So a stored head past this point means we started from a stale one.
                long fresh = Memory.getLongVolatile(segment, RingDescriptor.COMMITTED_HEAD_OFFSET);
                if (fresh > head && RecordDescriptor.isAligned(fresh)) {
                    head = fresh;
                    continue;
                }
                break;
            }
            int length = segment.get(ValueLayout.JAVA_INT, record + RecordDescriptor.LENGTH_OFFSET);
            if (length < 0 || length > capacity - (head & mask) - RecordDescriptor.HEADER_LENGTH) {
                // Scribbled: stop here. Writers are held back at it; readers report the corruption.
                break;
            }
            head += RecordDescriptor.recordLength(length);
        }
        while (head > stored && !Memory.casLong(segment, RingDescriptor.COMMITTED_HEAD_OFFSET, stored, head)) {
            stored = Memory.getLongVolatile(segment, RingDescriptor.COMMITTED_HEAD_OFFSET);
        }
        return Math.min(head, upTo);
    }

    /** The committed head as stored: every record below it is committed. */
    public long committedHead() {
        return Memory.getLongVolatile(segment, RingDescriptor.COMMITTED_HEAD_OFFSET);
    }

    /** Number of cursor slots in state ACTIVE. */
    public int activeCursors() {
        int count = 0;
        int highMark = cursorHighMark();
        for (int i = 0; i < highMark; i++) {
            long slot = RingDescriptor.cursorOffset(i);
            if (Memory.getIntVolatile(segment, slot + CursorDescriptor.STATE_OFFSET) == CursorDescriptor.ACTIVE) {
                count++;
            }
        }
        return count;
    }
}
