package io.ringbus.core.ring.internal;

import static io.ringbus.core.ring.RecordDescriptor.HEADER_LENGTH;
import static io.ringbus.core.ring.RecordDescriptor.LENGTH_OFFSET;
import static io.ringbus.core.ring.RecordDescriptor.PADDING_TYPE;
import static io.ringbus.core.ring.RecordDescriptor.STAMP_OFFSET;
import static io.ringbus.core.ring.RecordDescriptor.TYPE_OFFSET;

import io.ringbus.core.ring.RecordDescriptor;
import io.ringbus.core.ring.Ring;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Turns the claim of a dead writer into padding, so that readers waiting at it move on. Deciding
 * that the writer is dead is the caller's business (an OS-released lock, never a timeout); this
 * class only reads what holds a reader and rewrites it.
 *
 * <p>A claimed record names its owner in its claim marker ({@link RecordDescriptor#claimMarkerOf}),
 * stored right after the claim; its length is in the header, stored before the marker. A writer
 * that died between winning the tail and storing the marker left no marker: the caller then uses the
 * {@link ClaimIntent} the writer noted before competing for the tail.
 */
public final class ClaimRecovery {
    /** Nothing holds a reader at the position: the record there is committed, or not yet claimed. */
    public static final int NOT_BLOCKED = -1;
    /** The position is claimed (below the tail) but carries no claim marker yet. */
    public static final int NO_MARKER = -2;

    private ClaimRecovery() {
    }

    /**
     * Who holds readers at {@code position}: {@link #NOT_BLOCKED}, {@link #NO_MARKER}, or the owner id
     * in the record's claim marker. A position off the record boundaries holds no reader.
     */
    public static int ownerAt(Ring ring, long position) {
        long tail = ring.tail();
        if (position >= tail || !RecordDescriptor.isAligned(position)) {
            return NOT_BLOCKED;
        }
        long field = Memory.getLongAcquire(ring.segment(), recordOffset(ring, position) + STAMP_OFFSET);
        if (isFinished(ring, field, position)) {
            return NOT_BLOCKED;
        }
        int owner = ring.claimOwner(field, position);
        return owner >= 0 ? owner : NO_MARKER;
    }

    /**
     * Turns the record at {@code position}, claimed by the dead {@code ownerId}, into padding of the
     * same length: one compare-and-set of its stamp field from that owner's claim marker to the
     * recovered stamp ({@link RecordDescriptor#recoveredStampOf}). The owner's commit is a
     * compare-and-set from the same marker, so of a recovery and a late commit (an owner wrongly
     * taken for dead) exactly one takes effect, and readers see either the whole message or padding.
     * Does nothing (and returns false) unless the record still carries that owner's marker; claims of
     * writers with no owner ({@link RecordDescriptor#NO_OWNER}) are never recovered.
     */
    public static boolean padMarkedClaim(Ring ring, long position, int ownerId) {
        if (ownerId < 0 || ownerId == RecordDescriptor.NO_OWNER || !RecordDescriptor.isAligned(position)) {
            return false;
        }
        MemorySegment segment = ring.segment();
        long record = recordOffset(ring, position);
        long marker = ring.claimMarkerOf(position, ownerId);
        if (Memory.getLongAcquire(segment, record + STAMP_OFFSET) != marker) {
            return false;
        }
        int length = segment.get(ValueLayout.JAVA_INT, record + LENGTH_OFFSET);
        long toEnd = ring.capacity() - (position & (ring.capacity() - 1)) - HEADER_LENGTH;
        if (length < 0 || length > toEnd) {
            // Scribbled (the owner stores its header before its marker, with release ordering): pad
            // to the end of the data area or the tail, whichever comes first; readers then resume at
            // a position the claim covers.
            length = (int) Math.max(0, Math.min(toEnd, ring.tail() - position - HEADER_LENGTH));
            segment.set(ValueLayout.JAVA_INT, record + LENGTH_OFFSET, length);
        }
        return Memory.casLong(segment, record + STAMP_OFFSET, marker, ring.recoveredStampOf(position));
    }

    /**
     * Writes padding over {@code [from, end)}, a claim with no marker, split at the wrap so that no
     * padding record crosses the end of the data area. Each piece is committed with a
     * compare-and-set from the value it held, so a concurrent commit of a live writer is never
     * overwritten.
     *
     * @return whether the whole region was padded
     */
    public static boolean padUnmarkedRegion(Ring ring, long from, long end) {
        if (!RecordDescriptor.isAligned(from) || !RecordDescriptor.isAligned(end) || end <= from
            || end - from > ring.capacity() || end > ring.tail()) {
            return false;
        }
        MemorySegment segment = ring.segment();
        long at = from;
        while (at < end) {
            long offset = at & (ring.capacity() - 1);
            long piece = Math.min(end - at, ring.capacity() - offset);
            long record = ring.dataOffset() + offset;
            long field = Memory.getLongAcquire(segment, record + STAMP_OFFSET);
            if (isFinished(ring, field, at) || ring.claimOwner(field, at) >= 0) {
                return false;
            }
            segment.set(ValueLayout.JAVA_INT, record + LENGTH_OFFSET, (int) piece - HEADER_LENGTH);
            segment.set(ValueLayout.JAVA_INT, record + TYPE_OFFSET, PADDING_TYPE);
            if (!Memory.casLong(segment, record + STAMP_OFFSET, field, ring.stampOf(at))) {
                return false;
            }
            at += piece;
        }
        return true;
    }

    /** Whether {@code field}, the stamp field at {@code position}, says committed or padded by recovery. */
    private static boolean isFinished(Ring ring, long field, long position) {
        return field == ring.stampOf(position) || field == ring.recoveredStampOf(position);
    }

    private static long recordOffset(Ring ring, long position) {
        return ring.dataOffset() + (position & (ring.capacity() - 1));
    }
}
