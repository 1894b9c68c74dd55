package io.ringbus.core.ring;

import static io.ringbus.core.ring.RecordDescriptor.HEADER_LENGTH;
import static io.ringbus.core.ring.RecordDescriptor.HEADER_WORD_OFFSET;
import static io.ringbus.core.ring.RecordDescriptor.LENGTH_OFFSET;
import static io.ringbus.core.ring.RecordDescriptor.PADDING_TYPE;
import static io.ringbus.core.ring.RecordDescriptor.STAMP_OFFSET;
import static io.ringbus.core.ring.RecordDescriptor.TYPE_OFFSET;

import io.ringbus.core.CorruptRingException;
import io.ringbus.core.Result;
import io.ringbus.core.ring.internal.CrashPoints;
import io.ringbus.core.ring.internal.Memory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/** What both producer modes share: the record writes, commit, abort and the copying offers. */
abstract sealed class AbstractRingWriter implements RingWriter permits SingleProducerWriter, ManyProducerWriter {
    protected final Ring ring;
    protected final MemorySegment segment;
    protected final long dataOffset;
    protected final int capacity;
    protected final long mask;
    private final int maxMessageLength;
    private final int ownerId;

    AbstractRingWriter(Ring ring, int ownerId) {
        if (ownerId < 0) {
            throw new IllegalArgumentException("ownerId " + ownerId + " is negative");
        }
        this.ownerId = ownerId;
        this.ring = ring;
        this.segment = ring.segment();
        this.dataOffset = ring.dataOffset();
        this.capacity = ring.capacity();
        this.mask = capacity - 1;
        this.maxMessageLength = ring.maxMessageLength();
    }

    @Override
    public final long offer(int typeId, MemorySegment source, long offset, int length) {
        long position = tryClaim(typeId, length);
        if (position >= 0) {
            try {
                MemorySegment.copy(source, offset, segment, payloadOffset(position), length);
            } catch (Throwable t) {
                abort(position);
                throw t;
            }
            commit(position);
        }
        return position;
    }

    @Override
    public final long offer(int typeId, byte[] source, int offset, int length) {
        long position = tryClaim(typeId, length);
        if (position >= 0) {
            try {
                MemorySegment.copy(source, offset, segment, ValueLayout.JAVA_BYTE, payloadOffset(position), length);
            } catch (Throwable t) {
                abort(position);
                throw t;
            }
            commit(position);
        }
        return position;
    }

    @Override
    public final long tryClaimBatch(int typeId, int[] lengths, int count) {
        if (count < 1 || count > lengths.length) {
            throw new IllegalArgumentException("batch of " + count + " messages, from " + lengths.length
                + " lengths; at least one, at most as many as there are lengths");
        }
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            bytes += checkedRecordLength(typeId, lengths[i]);
        }
        // At most one largest record: the claim (with its wrap padding) then fits the limit reserve, as one does.
        if (bytes > RecordDescriptor.recordLength(maxMessageLength)) {
            return Result.TOO_LARGE;
        }
        long tail = reserve((int) bytes);
        if (tail < 0) {
            return tail;
        }
        long first = writeClaim(tail, claimLength(tail, (int) bytes), (int) bytes, typeId, lengths[0]);
        long next = first + RecordDescriptor.recordLength(lengths[0]);
        for (int i = 1; i < count; i++) {
            writeHeaderAndMarker(next, typeId, lengths[i]);
            next += RecordDescriptor.recordLength(lengths[i]);
        }
        VarHandle.storeStoreFence();
        return first;
    }

    @Override
    public final long tryClaim(int typeId, int length) {
        int recordLength = checkedRecordLength(typeId, length);
        long tail = reserve(recordLength);
        if (tail < 0) {
            return tail;
        }
        return writeClaim(tail, claimLength(tail, recordLength), recordLength, typeId, length);
    }

    /**
     * Takes {@code bytes} of records (and the padding before them at the wrap, see {@link #claimLength})
     * from the tail: returns the tail they start at, or a refusal code, nothing taken.
     */
    abstract long reserve(int bytes);

    @Override
    public final boolean commit(long position) {
        long stamp = recordOffset(position) + STAMP_OFFSET;
        if (ownerId == RecordDescriptor.NO_OWNER) {
            // Nobody recovers the claims of a writer without an owner: a plain release store.
            Memory.setLongRelease(segment, stamp, ring.stampOf(position));
            return true;
        }
        // From our own marker only: if recovery took the claim first, its padding stays.
        return Memory.casLong(segment, stamp, ring.claimMarkerOf(position, ownerId), ring.stampOf(position));
    }

    @Override
    public final void commitWhileOwned(long position) {
        Memory.setLongRelease(segment, recordOffset(position) + STAMP_OFFSET, ring.stampOf(position));
    }

    @Override
    public final void abort(long position) {
        segment.set(ValueLayout.JAVA_INT, recordOffset(position) + TYPE_OFFSET, PADDING_TYPE);
        commit(position);
    }

    @Override
    public final long payloadOffset(long position) {
        return recordOffset(position) + HEADER_LENGTH;
    }

    @Override
    public final MemorySegment buffer() {
        return segment;
    }

    @Override
    public final int maxMessageLength() {
        return maxMessageLength;
    }

    final long recordOffset(long position) {
        return dataOffset + (position & mask);
    }

    /** Record length for a payload, or an {@link IllegalArgumentException} for a programmer error. */
    final int checkedRecordLength(int typeId, int length) {
        if (length < 0 || length > maxMessageLength) {
            throw new IllegalArgumentException("message of " + length + " bytes is outside [0, " + maxMessageLength
                + "], the ring's maximum message length; split it or create the ring with a larger capacity");
        }
        if (typeId < 0) {
            throw new IllegalArgumentException("typeId " + typeId + " is negative; negative types are reserved");
        }
        return RecordDescriptor.recordLength(length);
    }

    /**
     * Bytes a claim at {@code tail} takes: the record, plus the padding up to the end of the data
     * area when the record would not fit before it.
     */
    final long claimLength(long tail, int recordLength) {
        int toEnd = capacity - (int) (tail & mask);
        return recordLength <= toEnd ? recordLength : (long) toEnd + recordLength;
    }

    /**
     * Writes the headers of a claimed region that starts at {@code tail}, whose records take
     * {@code recordBytes}, and returns the first record's position: after a padding record when the
     * claim covers the wrap. Writes the first record's header and claim marker; a batch writes the
     * others' after it.
     */
    final long writeClaim(long tail, long claimLength, int recordBytes, int typeId, int length) {
        long position = tail;
        if (claimLength != recordBytes) {
            long padding = recordOffset(tail);
            int paddingLength = (int) (claimLength - recordBytes) - HEADER_LENGTH;
            segment.set(ValueLayout.JAVA_INT, padding + LENGTH_OFFSET, paddingLength);
            segment.set(ValueLayout.JAVA_INT, padding + TYPE_OFFSET, PADDING_TYPE);
            if (CrashPoints.ENABLED) {
                CrashPoints.reach("wrapPadding");
            }
            Memory.setLongRelease(segment, padding + STAMP_OFFSET, ring.stampOf(tail));
            position = tail + (claimLength - recordBytes);
        }
        writeHeaderAndMarker(position, typeId, length);
        // The marker must be visible before any payload byte: a validating reader of an earlier lap
        // re-reads the stamp after copying and must see it changed if the payload did.
        VarHandle.storeStoreFence();
        return position;
    }

    /**
     * The header of the record at {@code position}, then its claim marker with release ordering (so
     * recovery, which reads the marker, finds the length; and the markers of a batch appear in
     * position order: a record without one has none after it either).
     */
    private void writeHeaderAndMarker(long position, int typeId, int length) {
        long record = recordOffset(position);
        segment.set(ValueLayout.JAVA_LONG, record + HEADER_WORD_OFFSET, RecordDescriptor.headerWord(length, typeId));
        Memory.setLongRelease(segment, record + STAMP_OFFSET, ring.claimMarkerOf(position, ownerId));
    }

    /**
     * The limit a claim may reach: the slowest active cursor or the first uncommitted record,
     * whichever is lower, plus the capacity (see {@link RingDescriptor} on the committed head), and no
     * more than {@link Ring#limitReserve()} past the observed tail. The tail is read (or, for a single
     * producer, published) with volatile ordering before the scan.
     *
     * <p>The limit is published before the cursors are looked at once more: a reader that became
     * ACTIVE after the first scan either shows up in the second, or reads the published limit after
     * the compare-and-set and starts where this limit cannot reach (see {@link CursorDescriptor}).
     */
    final long scanLimit(long observedTail) {
        long limit = plusCapacity(ring.protectedFrom(observedTail));
        if (observedTail <= Long.MAX_VALUE - ring.limitReserve()) {
            limit = Math.min(limit, observedTail + ring.limitReserve());
        }
        ring.publishLimit(limit);
        long joined = ring.slowestCursor();
        if (joined != Ring.NO_CURSOR) {
            // Clamped as in protectedFrom: a cursor more than a lap behind holds producers at the tail.
            limit = Math.min(limit, plusCapacity(Math.min(observedTail, Math.max(joined, observedTail - capacity))));
        }
        return limit;
    }

    private long plusCapacity(long position) {
        return position > Long.MAX_VALUE - capacity ? Long.MAX_VALUE : position + capacity;
    }

    /** The code for a claim that does not fit under {@code limit}. */
    static long refusal(long tail, long claimLength) {
        return tail > Long.MAX_VALUE - claimLength ? Result.MAX_POSITION_EXCEEDED : Result.BACK_PRESSURED;
    }

    /** A tail that no writer of this ring could have stored: negative or off a record boundary. */
    static void checkTail(long tail) {
        if ((tail & (Long.MIN_VALUE | (RecordDescriptor.ALIGNMENT - 1))) != 0) {
            throw new CorruptRingException("Ring tail is " + tail + ", negative or not on a record boundary; another"
                + " process wrote it. Remove the ring and recreate it.");
        }
    }
}
