package io.ringbus.core.ring;

import java.lang.foreign.MemorySegment;

/**
 * Writes records into a ring: a copying {@link #offer} or a zero-copy
 * {@link #tryClaim}/{@link #commit}/{@link #abort}.
 *
 * <p><b>Results.</b> {@code offer} and {@code tryClaim} return the record's position (zero or more)
 * or a negative {@link io.ringbus.core.Result} code: {@code BACK_PRESSURED} when the slowest active
 * cursor is a whole capacity behind, {@code MAX_POSITION_EXCEEDED} near 2^63. Flow control never
 * throws; a payload over {@link #maxMessageLength()} or a negative type is an
 * {@link IllegalArgumentException}.
 *
 * <p><b>Ordering.</b> Every payload byte written before {@code commit} (or inside {@code offer}) is
 * visible to a reader that sees the record: the commit stamp is a release store and readers load it
 * with acquire. Records are delivered in position order; a record that is claimed but not yet
 * committed holds back every record after it, for every reader.
 *
 * <p><b>Threads.</b> A {@link ProducerMode#SINGLE} writer must be used by one thread at a time and
 * must be the ring's only writer. {@link ProducerMode#MANY} writers may be shared by threads and by
 * processes; each claim is a compare-and-set of the ring's tail.
 *
 * <p>Every claim must end in exactly one {@code commit} or {@code abort}, soon: until then readers
 * wait at that record.
 */
public interface RingWriter {
    /**
     * Copies {@code length} bytes at {@code offset} of {@code source} into a new record. When the
     * copy fails (a range outside {@code source}, a closed source), the record is aborted, so that it
     * holds no reader back, and the exception propagates.
     *
     * @return the record's position, or a negative result code
     */
    long offer(int typeId, MemorySegment source, long offset, int length);

    /** Copies {@code length} bytes of {@code source} from {@code offset} into a new record; as above. */
    long offer(int typeId, byte[] source, int offset, int length);

    /**
     * Reserves a record of {@code length} payload bytes. Write the payload into {@link #buffer()} at
     * {@link #payloadOffset(long) payloadOffset(position)}, then {@code commit(position)} or
     * {@code abort(position)}.
     *
     * @return the record's position, or a negative result code (nothing was reserved)
     */
    long tryClaim(int typeId, int length);

    /**
     * Reserves {@code count} records of type {@code typeId} in one claim, with payloads of
     * {@code lengths[0]} to {@code lengths[count - 1]} bytes, back to back in position order: record
     * {@code i + 1} starts {@link RecordDescriptor#recordLength recordLength(lengths[i])} after record
     * {@code i} (a batch never wraps inside itself). One limit check and one tail move for the lot.
     * Write each payload, then commit (or abort) every record, in position order: a reader stops at
     * the first record not yet committed.
     *
     * @return the first record's position, or a negative result code, nothing reserved:
     *     {@code BACK_PRESSURED} when the whole batch does not fit now, {@code TOO_LARGE} when its
     *     records take more than one record of {@link #maxMessageLength()} would (it never fits)
     * @throws IllegalArgumentException when {@code count} is not within {@code [1, lengths.length]},
     *     or a length is outside {@code [0, maxMessageLength()]}
     */
    long tryClaimBatch(int typeId, int[] lengths, int count);

    /**
     * Publishes a claimed record to readers: a release store of its commit stamp or, for a writer
     * with an owner id, a compare-and-set of it from the writer's claim marker.
     *
     * @return true; false only when recovery had already turned the claim into padding (its owner
     *     was taken for dead; recovery is internal, {@code ClaimRecovery}): the record stays padding and
     *     the payload is lost
     */
    boolean commit(long position);

    /**
     * Publishes a claimed record with a plain release store of its commit stamp, without the
     * compare-and-set from the claim marker that {@link #commit} does for a writer with an owner id:
     * the same ordering for readers (every payload byte written before is visible to a reader that
     * sees the stamp), one locked instruction less per message.
     *
     * <p>Only for a writer whose owner is alive and holds its slot for the whole call, so that no
     * {@code ClaimRecovery} can take this claim for a dead writer's and pad it at the same time (the
     * compare-and-set of {@link #commit} is what decides that race). A topic publisher that is open
     * is such a writer: recovery pads only the claims of an owner whose slot is free, reused, or whose
     * lock nobody holds. A closed one is not, and commits with {@link #commit}.
     */
    void commitWhileOwned(long position);

    /** Turns a claimed record into padding, which readers skip. */
    void abort(long position);

    /** Where the payload of the record at {@code position} starts in {@link #buffer()}. */
    long payloadOffset(long position);

    /** The ring's memory, for writing claimed payloads. */
    MemorySegment buffer();

    /** Largest payload accepted. */
    int maxMessageLength();
}
