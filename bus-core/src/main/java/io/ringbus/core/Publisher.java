package io.ringbus.core;

import java.lang.foreign.MemorySegment;

/**
 * Publishes messages to one topic. The same contract holds on every path (shared memory, pipe,
 * FIFO, Unix and TCP sockets).
 *
 * <p><b>Results.</b> {@code offer} and {@code tryClaim} return a position (zero or more) or a
 * negative {@link Result} code: {@link Result#BACK_PRESSURED} when the slowest live tethered
 * subscriber is a whole ring behind (retry after an idle step; nothing was written),
 * {@link Result#NOT_CONNECTED} when a stream path has no peer, {@link Result#CLOSED} after
 * {@link #close()}. Flow control never throws. A message longer than {@link #maxMessageLength()} is
 * an {@link IllegalArgumentException}.
 *
 * <p><b>Ordering.</b> Messages of one publisher are delivered in the order they were claimed; the
 * messages of all publishers of a topic form one total order that every subscriber sees. Every
 * payload byte written before {@code commit} is visible to a subscriber that receives the message
 * (release on commit, acquire on receipt).
 *
 * <p><b>Threads.</b> One thread at a time per publisher. On a topic of producer mode
 * {@code SINGLE}, only one publisher may exist at once (across all processes).
 *
 * <p><b>Failure.</b> If the process dies, its slot is released by the kernel, and a record it had
 * claimed but not committed is turned into padding by the first subscriber that waits on it; no
 * committed message is lost and no torn message is delivered.
 */
public interface Publisher extends AutoCloseable {
    /** Copies {@code length} bytes of {@code source} from {@code offset} into one message. */
    long offer(MemorySegment source, long offset, int length);

    /** Copies {@code length} bytes of {@code source} from {@code offset} into one message. */
    long offer(byte[] source, int offset, int length);

    /** Copies all of {@code source} into one message. */
    default long offer(byte[] source) {
        return offer(source, 0, source.length);
    }

    /**
     * Reserves a message of {@code length} bytes: write it into {@link #buffer()} at
     * {@link #payloadOffset(long)}, then {@link #commit(long)} or {@link #abort(long)} it, soon
     * (subscribers wait at an uncommitted message).
     *
     * @return the message's position, or a negative result code (nothing reserved)
     */
    long tryClaim(int length);

    /** Publishes a claimed message; wakes parked subscribers if there are any. */
    void commit(long position);

    /** Withdraws a claimed message; subscribers skip it. */
    void abort(long position);

    /** The memory claimed messages are written into. */
    MemorySegment buffer();

    /** Where the payload of the claimed message at {@code position} starts in {@link #buffer()}. */
    long payloadOffset(long position);

    /** Largest message accepted. */
    int maxMessageLength();

    /** Releases the publisher's slot. Later calls return {@link Result#CLOSED}. Idempotent. */
    @Override
    void close();
}
