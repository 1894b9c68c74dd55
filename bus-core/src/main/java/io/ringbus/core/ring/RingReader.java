package io.ringbus.core.ring;

import static io.ringbus.core.ring.RecordDescriptor.HEADER_LENGTH;
import static io.ringbus.core.ring.RecordDescriptor.HEADER_WORD_OFFSET;
import static io.ringbus.core.ring.RecordDescriptor.PADDING_TYPE;
import static io.ringbus.core.ring.RecordDescriptor.STAMP_OFFSET;

import io.ringbus.core.CorruptRingException;
import io.ringbus.core.RingBusException;
import io.ringbus.core.ring.internal.Memory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One reader of a ring with its own cursor slot: it sees every record committed at or after its
 * start position, in position order, and holds producers back while its slot is ACTIVE. Any number
 * of readers (up to the ring's cursor slots) read the same records independently.
 *
 * <p>Not thread-safe: one thread polls a reader at a time. Close it to release its slot; a reader
 * left open holds producers back forever.
 *
 * <p><b>In place or validated.</b> A tethered reader hands the handler the payload in the ring:
 * its cursor keeps producers off it from its first record on, because it joins only where no
 * producer's cached limit reaches (see {@link CursorDescriptor}); it is never overtaken. A reader
 * that producers may evict copies each payload into a private buffer and re-reads the stamp
 * afterwards: a changed stamp means the record was overwritten while being copied, and nothing is
 * delivered ({@link #overrun()} turns true; {@link #rejoin()} reports what was skipped).
 *
 * <p><b>Hostile memory.</b> A record is delivered only when its commit stamp is the stamp of this
 * exact position (so no byte of an earlier lap is mistaken for it) and its length keeps it inside
 * the data area and under the maximum message length; a recovered stamp of this position makes it
 * padding, whatever its type field says. Anything else raises
 * {@link CorruptRingException} after at most one lap of records per poll; nothing out of range is
 * read.
 *
 * <p><b>Commits.</b> By default each poll stores the new position in the slot as it returns: what it
 * delivered is consumed. After {@link #deferCommits()} a poll moves only this reader's own position,
 * and {@link #commit()} stores it ({@link #commitMessages} a part of it): producers stay held back,
 * and a durable successor resumes, at the last commit. Padding is never held: a poll that delivers
 * nothing while nothing delivered is uncommitted stores its move over padding, and a commit of every
 * message delivered passes the padding read after them.
 */
public final class RingReader implements AutoCloseable {
    private final Ring ring;
    private final MemorySegment segment;
    private final long dataOffset;
    private final int capacity;
    private final long mask;
    private final int maxMessageLength;
    /** {@code capacity - HEADER_LENGTH}: a record at offset {@code o} has room for this minus {@code o} bytes. */
    private final long lastHeaderOffset;
    private final long slotOffset;
    private final int slotIndex;
    private final boolean alwaysValidate;
    private MemorySegment scratch;
    private long position;
    /** The position last stored in the slot. */
    private long stored;
    private boolean deferred;
    private boolean overrun;
    private boolean closed;

    private RingReader(Ring ring, int slotIndex, boolean alwaysValidate) {
        this.ring = ring;
        this.segment = ring.segment();
        this.dataOffset = ring.dataOffset();
        this.capacity = ring.capacity();
        this.mask = capacity - 1;
        this.maxMessageLength = ring.maxMessageLength();
        this.lastHeaderOffset = (long) capacity - HEADER_LENGTH;
        this.slotIndex = slotIndex;
        this.slotOffset = RingDescriptor.cursorOffset(slotIndex);
        this.alwaysValidate = alwaysValidate;
    }

    /** Takes a free cursor slot and joins at the tail. */
    static RingReader join(Ring ring) {
        return join(ring, takeFreeSlot(ring), false, false);
    }

    /**
     * Joins on slot {@code slotIndex}, which the caller has taken (state JOINING or EVICTED), at the
     * tail or at the oldest record still in the ring.
     *
     * @param earliest start at the oldest committed record still in the ring instead of the tail
     * @param alwaysValidate read every record by validated copy (for readers that may be evicted)
     */
    static RingReader join(Ring ring, int slotIndex, boolean earliest, boolean alwaysValidate) {
        RingReader reader = new RingReader(ring, slotIndex, alwaysValidate);
        try {
            reader.activate(earliest ? Long.MIN_VALUE : Long.MAX_VALUE);
        } catch (RuntimeException e) {
            // A scribbled tail or head: give the slot back rather than leave it JOINING or ACTIVE.
            Memory.setIntVolatile(ring.segment(), reader.slotOffset + CursorDescriptor.STATE_OFFSET,
                CursorDescriptor.FREE);
            throw e;
        }
        return reader;
    }

    /**
     * Continues on slot {@code slotIndex}, which is ACTIVE and whose position has held producers
     * back all along (a durable reader whose previous owner died or closed). The caller owns the
     * slot.
     *
     * @throws CorruptRingException when the slot's position cannot be a position of this ring
     */
    static RingReader attach(Ring ring, int slotIndex, boolean alwaysValidate) {
        RingReader reader = new RingReader(ring, slotIndex, alwaysValidate);
        long stored = Memory.getLongVolatile(ring.segment(), reader.slotOffset + CursorDescriptor.POSITION_OFFSET);
        long tail = ring.tail();
        AbstractRingWriter.checkTail(tail);
        if (!RecordDescriptor.isAligned(stored) || stored > tail || stored < tail - ring.capacity()
            || stored < ring.initialPosition()) {
            throw new CorruptRingException("Cursor slot " + slotIndex + " holds position " + stored
                + ", which is not a record boundary within one capacity below the tail " + tail
                + ". Remove the subscriber's slot (bus clean) or recreate the topic.");
        }
        reader.position = stored;
        reader.stored = stored;
        return reader;
    }

    /**
     * Takes back slot {@code slotIndex}, which producers evicted (state EVICTED), for its owner's
     * successor; call {@link #rejoin()} next, which resumes at the stored position if it is still in
     * the ring and reports the bytes skipped otherwise.
     */
    static RingReader attachEvicted(Ring ring, int slotIndex, boolean alwaysValidate) {
        RingReader reader = new RingReader(ring, slotIndex, alwaysValidate);
        long stored = Memory.getLongVolatile(ring.segment(), reader.slotOffset + CursorDescriptor.POSITION_OFFSET);
        long tail = ring.tail();
        AbstractRingWriter.checkTail(tail);
        boolean plausible = RecordDescriptor.isAligned(stored) && stored <= tail && stored >= ring.initialPosition();
        reader.position = plausible ? stored : Math.max(ring.initialPosition(), tail - ring.capacity());
        reader.stored = stored;
        return reader;
    }

    /** A free slot, taken (state JOINING), with the high mark raised to cover it. */
    static int takeFreeSlot(Ring ring) {
        MemorySegment segment = ring.segment();
        for (int i = 0; i < ring.maxCursors(); i++) {
            long state = RingDescriptor.cursorOffset(i) + CursorDescriptor.STATE_OFFSET;
            if (Memory.casInt(segment, state, CursorDescriptor.FREE, CursorDescriptor.JOINING)) {
                raiseHighMark(segment, i + 1);
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
     * Makes the slot ACTIVE at a start position (see {@link CursorDescriptor} for the protocol).
     * {@code preferred} is a record boundary to resume at if it is still in the ring,
     * {@link Long#MIN_VALUE} for the oldest record, {@link Long#MAX_VALUE} for the tail.
     */
    private void activate(long preferred) {
        if (preferred != Long.MIN_VALUE && preferred != Long.MAX_VALUE && !RecordDescriptor.isAligned(preferred)) {
            preferred = Long.MIN_VALUE;
        }
        // The lowest start this join may take, chosen before the cursor is visible: never above a
        // pending claim, so that producers may keep trusting that no claim is pending below a cursor.
        long tail = ring.tail();
        AbstractRingWriter.checkTail(tail);
        long firstPending = ring.advanceCommittedHead(tail);
        long candidate = firstPending;
        if (preferred != Long.MAX_VALUE) {
            long earliest = earliestCommitted(tail);
            candidate = preferred == Long.MIN_VALUE
                ? Math.min(earliest, firstPending)
                : Math.min(firstPending, Math.max(earliest, preferred));
        }
        Memory.setLongVolatile(segment, slotOffset + CursorDescriptor.POSITION_OFFSET, candidate);
        Memory.setIntVolatile(segment, slotOffset + CursorDescriptor.STATE_OFFSET, CursorDescriptor.ACTIVE);
        // Every limit a producer cached without seeing this cursor is at most the published limit as
        // read now (producers publish before their last look at the cursors): below it minus the
        // capacity, records may still be overwritten; from there on, nothing is.
        long reachable = ring.publishedLimit() - capacity;
        tail = ring.tail();
        AbstractRingWriter.checkTail(tail);
        firstPending = ring.advanceCommittedHead(tail);
        long start;
        if (preferred == Long.MAX_VALUE) {
            start = firstPending;
        } else if (alwaysValidate) {
            start = candidate; // validated reads notice an overwrite and rejoin() reports it
        } else {
            start = firstProtected(candidate, reachable, firstPending);
        }
        // Only ever raised from the candidate: a producer may already have computed a limit from it.
        Memory.setLongVolatile(segment, slotOffset + CursorDescriptor.POSITION_OFFSET, start);
        position = start;
        stored = start;
        overrun = false;
    }

    /**
     * The first record at or above {@code reachable} (below which a producer's cached limit may still
     * overwrite), or {@code candidate} when that is already above it. Records from {@code reachable}
     * up to {@code firstPending} are committed and protected, so the first committed stamp found by
     * probing is a record boundary; bounded by {@code capacity / 8} probes.
     */
    private long firstProtected(long candidate, long reachable, long firstPending) {
        if (reachable <= candidate) {
            return candidate;
        }
        long from = (reachable + RecordDescriptor.ALIGNMENT - 1) & -RecordDescriptor.ALIGNMENT;
        return firstCommittedIn(from, firstPending);
    }

    /**
     * The oldest position in {@code [tail - capacity, tail)} holding a committed record, or
     * {@code tail}. Bounded: at most {@code capacity / 16} probes.
     */
    private long earliestCommitted(long tail) {
        return firstCommittedIn(Math.max(ring.initialPosition(), tail - capacity), tail);
    }

    /** The first record boundary in {@code [from, to)} whose stamp says committed or padded, or {@code to}. */
    private long firstCommittedIn(long from, long to) {
        for (long probe = from; probe < to; probe += RecordDescriptor.ALIGNMENT) {
            long stamp = Memory.getLongAcquire(segment, dataOffset + (probe & mask) + STAMP_OFFSET);
            if (ring.isFinished(stamp, probe)) {
                return probe;
            }
        }
        return to;
    }

    /**
     * After an eviction or an overrun: rejoins on the same slot at {@code position()} if that is still
     * in the ring, else at the oldest record. Returns the bytes skipped (zero when nothing was lost).
     * The slot then holds the rejoined position: for a reader that {@link #deferCommits() defers its
     * commits}, what it had delivered counts as committed.
     */
    public long rejoin() {
        long before = position;
        activate(before);
        return Math.max(0, position - before);
    }

    /**
     * Delivers up to {@code messageLimit} committed messages to {@code handler} and moves the cursor
     * past them (one release store per call, not per message; none when commits are
     * {@link #deferCommits() deferred}). Padding records are skipped and not counted. Reads at most one
     * capacity of records per call.
     *
     * @return the number of messages delivered; zero when nothing new is committed or after an
     *     {@link #overrun()}
     * @throws CorruptRingException when the next record cannot have been written by a writer of this
     *     ring; the cursor stays before it
     */
    public int poll(MessageHandler handler, int messageLimit) {
        if (closed) {
            throw new IllegalStateException("reader is closed");
        }
        if (alwaysValidate) {
            return pollValidated(handler, messageLimit);
        }
        // Nothing committed at our position: the poll of a reader that keeps up, most of its polls. Told
        // here, in a method small enough to inline into the caller's loop, because the JIT compiles
        // pollInPlace too big to inline and each empty poll then paid a call. What pollInPlace would do:
        // stop at the first record, and store nothing (the slot holds the position already, or commits
        // are deferred).
        long at = position;
        long stamp = Memory.getLongAcquire(segment, dataOffset + (at & mask) + STAMP_OFFSET);
        if (stamp != ring.stampOf(at) && stamp != ring.recoveredStampOf(at) && (at == stored || deferred)) {
            return 0;
        }
        return pollInPlace(handler, messageLimit);
    }

    private int pollInPlace(MessageHandler handler, int messageLimit) {
        final long start = position;
        long next = start;
        int count = 0;
        try {
            while (count < messageLimit && next - start < capacity) {
                long offset = next & mask;
                long record = dataOffset + offset;
                long stamp = Memory.getLongAcquire(segment, record + STAMP_OFFSET);
                boolean recovered = false;
                if (stamp != ring.stampOf(next)) {
                    if (stamp != ring.recoveredStampOf(next)) {
                        break;
                    }
                    recovered = true;
                }
                long header = segment.get(ValueLayout.JAVA_LONG, record + HEADER_WORD_OFFSET);
                int length = RecordDescriptor.lengthOf(header);
                int typeId = recovered ? PADDING_TYPE : RecordDescriptor.typeOf(header);
                // plausible(), written out: a subscriber that mostly polls an empty ring gets this call
                // site profiled as cold, and HotSpot then leaves a method of plausible()'s size a call
                // (one per message) in a loop that has the handler's call already.
                if ((length | (lastHeaderOffset - offset - length)) < 0
                    || (typeId >= 0 ? length > maxMessageLength : typeId != PADDING_TYPE)) {
                    throw corrupt(next, length, typeId);
                }
                next += RecordDescriptor.recordLength(length);
                if (typeId >= 0) {
                    count++;
                    position = next; // position() inside the handler: right after the message in hand
                    handler.onMessage(typeId, segment, record + HEADER_LENGTH, length);
                }
            }
        } finally {
            moveTo(start, next, count);
        }
        return count;
    }

    private int pollValidated(MessageHandler handler, int messageLimit) {
        if (scratch == null) {
            scratch = Arena.ofAuto().allocate(Math.max(maxMessageLength, 8), 8);
        }
        final long start = position;
        long next = start;
        int count = 0;
        try {
            while (count < messageLimit && next - start < capacity && !overrun) {
                long offset = next & mask;
                long record = dataOffset + offset;
                long stamp = Memory.getLongAcquire(segment, record + STAMP_OFFSET);
                boolean recovered = stamp == ring.recoveredStampOf(next);
                if (stamp != ring.stampOf(next) && !recovered) {
                    overrun = ring.tail() - next > capacity;
                    break;
                }
                long header = segment.get(ValueLayout.JAVA_LONG, record + HEADER_WORD_OFFSET);
                int length = RecordDescriptor.lengthOf(header);
                int typeId = recovered ? PADDING_TYPE : RecordDescriptor.typeOf(header);
                boolean plausible = plausible(offset, length, typeId);
                if (plausible && typeId >= 0) {
                    MemorySegment.copy(segment, record + HEADER_LENGTH, scratch, 0, length);
                }
                VarHandle.loadLoadFence();
                // A later lap's payload may cover this header before it reaches this stamp (copies run
                // low to high): so also ask the tail, which every producer publishes before it writes.
                if (Memory.getLongVolatile(segment, record + STAMP_OFFSET) != stamp || ring.tail() - next > capacity) {
                    overrun = true;
                    break;
                }
                if (!plausible) {
                    throw corrupt(next, length, typeId);
                }
                next += RecordDescriptor.recordLength(length);
                if (typeId >= 0) {
                    count++;
                    position = next; // position() inside the handler: right after the message in hand
                    handler.onMessage(typeId, scratch, 0, length);
                }
            }
        } finally {
            moveTo(start, next, count);
        }
        return count;
    }

    /**
     * Whether a record at data-area offset {@code offset} with this length and type can have been written by
     * a writer of this ring: its payload ends inside the data area, a message's is at most the maximum
     * message length, and a negative type is padding. {@link #pollInPlace} has the same test written out.
     */
    private boolean plausible(long offset, int length, int typeId) {
        return length >= 0 && length <= lastHeaderOffset - offset
            && (typeId >= 0 ? length <= maxMessageLength : typeId == PADDING_TYPE);
    }

    /**
     * After a poll from {@code start} that delivered {@code delivered} messages and stopped at {@code next}.
     * A reader that defers its commits still stores a move over padding alone when nothing it delivered
     * is uncommitted: padding carries nothing to commit, and a durable reader whose last records are
     * padding (a dead publisher's recovered claim) would otherwise hold its slot behind the tail for good.
     */
    private void moveTo(long start, long next, int delivered) {
        position = next;
        if (next != stored && (!deferred || (delivered == 0 && start == stored))) {
            stored = next;
            Memory.setLongRelease(segment, slotOffset + CursorDescriptor.POSITION_OFFSET, next);
        }
    }

    /**
     * From now on {@link #poll} moves only this reader's own position; the slot (which holds producers
     * back, and which a durable successor resumes from) moves on {@link #commit()} alone.
     */
    public void deferCommits() {
        deferred = true;
    }

    /**
     * Stores {@link #position()} in the slot (a release store, as a poll's own: the reads of every
     * record below it happen before a producer can see the space free), if it moved since the last
     * store.
     *
     * @throws IllegalStateException when the reader is closed or detached
     */
    public void commit() {
        if (closed) {
            throw new IllegalStateException("reader is closed");
        }
        if (position != stored) {
            stored = position;
            Memory.setLongRelease(segment, slotOffset + CursorDescriptor.POSITION_OFFSET, position);
        }
    }

    /**
     * Commits the first {@code messages} messages delivered since the last store: walks their records
     * from the stored position (padding is skipped, not counted) and stores the position right after
     * the last of them, or {@link #position()} when only padding was read after it. Those records
     * lie at or above the stored position, so producers cannot have overwritten them; each is still
     * checked as a poll checks it. For a bridge whose client says how many of the messages forwarded
     * to it it has consumed.
     *
     * @return false, having committed only what it walked, when a record is no longer there (a reader
     *     that producers evicted, whose next poll rejoins)
     * @throws IllegalArgumentException when fewer messages were delivered since the last store
     * @throws CorruptRingException when a record cannot have been written by a writer of this ring
     * @throws IllegalStateException when the reader is closed or detached
     */
    public boolean commitMessages(long messages) {
        if (closed) {
            throw new IllegalStateException("reader is closed");
        }
        long at = stored;
        long left = messages;
        boolean whole = true;
        while (left > 0) {
            if (at >= position) {
                throw new IllegalArgumentException("commit of " + messages + " messages, but only "
                    + (messages - left) + " were delivered since the last commit");
            }
            long offset = at & mask;
            long record = dataOffset + offset;
            long stamp = Memory.getLongAcquire(segment, record + STAMP_OFFSET);
            boolean recovered = stamp == ring.recoveredStampOf(at);
            if (stamp != ring.stampOf(at) && !recovered) {
                whole = false;
                break;
            }
            long header = segment.get(ValueLayout.JAVA_LONG, record + HEADER_WORD_OFFSET);
            int length = RecordDescriptor.lengthOf(header);
            int typeId = recovered ? PADDING_TYPE : RecordDescriptor.typeOf(header);
            if (!plausible(offset, length, typeId)) {
                throw corrupt(at, length, typeId);
            }
            at += RecordDescriptor.recordLength(length);
            if (typeId >= 0) {
                left--;
            }
        }
        if (whole && onlyPaddingBetween(at, position)) {
            at = position; // every message delivered is committed: the padding read after them goes too
        }
        if (at > stored) {
            stored = at;
            Memory.setLongRelease(segment, slotOffset + CursorDescriptor.POSITION_OFFSET, at);
        }
        return whole;
    }

    /** Whether {@code [from, to)}, below this reader's position, holds committed padding records only. */
    private boolean onlyPaddingBetween(long from, long to) {
        long at = from;
        while (at < to) {
            long offset = at & mask;
            long record = dataOffset + offset;
            long stamp = Memory.getLongAcquire(segment, record + STAMP_OFFSET);
            boolean recovered = stamp == ring.recoveredStampOf(at);
            if (stamp != ring.stampOf(at) && !recovered) {
                return false;
            }
            long header = segment.get(ValueLayout.JAVA_LONG, record + HEADER_WORD_OFFSET);
            int length = RecordDescriptor.lengthOf(header);
            int typeId = recovered ? PADDING_TYPE : RecordDescriptor.typeOf(header);
            if (typeId >= 0 || !plausible(offset, length, typeId)) {
                return false;
            }
            at += RecordDescriptor.recordLength(length);
        }
        return at == to;
    }

    /** The position last stored in the slot: what producers wait for and a durable successor resumes at. */
    public long committedPosition() {
        return stored;
    }

    private CorruptRingException corrupt(long at, int length, int typeId) {
        return new CorruptRingException("Ring record at position " + at + " has length " + length + " and type "
            + typeId + ", which no writer of this ring writes (maximum message length " + maxMessageLength
            + ", capacity " + capacity + "). Another process wrote it; remove the ring and recreate it.");
    }

    /** Whether a validated read found its next record overwritten: call {@link #rejoin()}. */
    public boolean overrun() {
        return overrun;
    }

    /** The cursor slot's state as stored in shared memory (ACTIVE, or EVICTED set by a producer...). */
    public int slotState() {
        return Memory.getIntVolatile(segment, slotOffset + CursorDescriptor.STATE_OFFSET);
    }

    /** The next position this reader will read. */
    public long position() {
        return position;
    }

    /** Index of this reader's cursor slot. */
    public int slotIndex() {
        return slotIndex;
    }

    /** The ring this reader reads. */
    public Ring ring() {
        return ring;
    }

    /** Releases the cursor slot: producers stop waiting for this reader. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Memory.setIntVolatile(segment, slotOffset + CursorDescriptor.STATE_OFFSET, CursorDescriptor.FREE);
        }
    }

    /** Stops reading without releasing the slot (a durable reader keeps holding its position). */
    void detach() {
        closed = true;
    }
}
