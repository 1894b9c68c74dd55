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
 *
 * <p><b>A truncated topic file.</b> If another process truncates the topic's file, accesses to the
 * pages it lost fault, and the typed error is a {@link CorruptRingException} naming the file, its
 * size now and when mapped, and what to do (made by {@link LostPages}, the one place that converts).
 * {@code Bus.newPublisher} throws it itself, and {@link #close()} never throws for it. But HotSpot
 * raises the fault as an asynchronous {@code InternalError} at the thread's next safepoint poll (see
 * {@link LostPages}): once the JIT has inlined {@code offer}, {@code tryClaim} or {@code commit} into
 * the caller's loop, that is usually in the caller, just past the call and its own catch; and the
 * stores of a zero-copy writer through {@link #buffer()} are the caller's code to begin with. So a
 * zero-copy writer, and any program that must never see the raw error, catches it around its
 * publishing loop, which costs nothing per message, and throws the typed form (inside or after the
 * bus's try-with-resources: the file is found either way):
 *
 * <pre>{@code
 * try (Bus bus = Bus.open(context)) {
 *     Publisher publisher = bus.newPublisher("prices");
 *     while (running) {
 *         long position = publisher.tryClaim(16);
 *         if (position >= 0) {
 *             long at = publisher.payloadOffset(position);
 *             publisher.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, at, instrument);
 *             publisher.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, at + 8, price);
 *             publisher.commit(position);
 *         }
 *     }
 * } catch (InternalError fault) {
 *     throw LostPages.typed(fault); // CorruptRingException: "Topic file ... is 0 bytes now but was ..."
 * }
 * }</pre>
 *
 * <p>The {@code bus} command line and the bridge do this around their loops.
 */
public interface Publisher extends AutoCloseable {
    /** Copies {@code length} bytes of {@code source} from {@code offset} into one message. */
    long offer(MemorySegment source, long offset, int length);

    /** Copies {@code length} bytes of {@code source} from {@code offset} into one message. */
    long offer(byte[] source, int offset, int length);

    /**
     * Copies {@code length} bytes of {@code source} from {@code offset} into one message of type
     * {@code typeId}, which subscribers receive as their handler's {@code typeId} (the other offers
     * publish type 0). Types are the application's: ringbus gives them no meaning. On stream paths the
     * type travels in the frame.
     *
     * @throws IllegalArgumentException when {@code typeId} is negative (negative types are the ring's and
     *     the frames' own) or the message is longer than {@link #maxMessageLength()}
     */
    default long offer(int typeId, MemorySegment source, long offset, int length) {
        if (typeId == 0) {
            return offer(source, offset, length);
        }
        throw new UnsupportedOperationException(getClass().getSimpleName() + " publishes type 0 only");
    }

    /** Copies all of {@code source} into one message. */
    default long offer(byte[] source) {
        return offer(source, 0, source.length);
    }

    /**
     * Copies {@code count} messages into the topic with one claim: message {@code i} is the next
     * {@code lengths[i]} bytes of {@code source}, the messages back to back from {@code offset}. All or
     * nothing: every message is published, in order and next to each other in the topic's total order
     * (no other publisher's message between them), or none is. One limit check and one tail move for the
     * batch instead of one per message; subscribers wake (on topics with wakeup) once per batch.
     *
     * <p>Shared-memory publishers only: a stream path's publisher throws
     * {@link UnsupportedOperationException} (offer the messages one by one; stream publishers batch
     * their writes themselves).
     *
     * @return the position of the first message, or a negative {@link Result} code, nothing published:
     *     {@link Result#BACK_PRESSURED} when the ring has no room for the whole batch now (retry after an
     *     idle step), {@link Result#TOO_LARGE} when the batch takes more ring bytes than the largest
     *     message does (it never fits: split it), {@link Result#CLOSED} after {@link #close()}
     * @throws IllegalArgumentException when {@code count} is not within {@code [1, lengths.length]}, a
     *     length is negative or over {@link #maxMessageLength()}, or the messages run past the end of
     *     {@code source}
     */
    default long offerBatch(MemorySegment source, long offset, int[] lengths, int count) {
        throw new UnsupportedOperationException("offerBatch needs a shared-memory publisher; on this path offer"
            + " the messages one by one");
    }

    /**
     * Reserves a message of {@code length} bytes: write it into {@link #buffer()} at
     * {@link #payloadOffset(long)}, then {@link #commit(long)} or {@link #abort(long)} it, soon
     * (subscribers wait at an uncommitted message).
     *
     * @return the message's position, or a negative result code (nothing reserved)
     */
    long tryClaim(int length);

    /**
     * {@link #tryClaim(int)} for a message of type {@code typeId} (see {@link #offer(int, MemorySegment, long,
     * int)}): a gateway or a codec that writes in place keeps the type it was given.
     *
     * @return the message's position, or a negative result code (nothing reserved)
     * @throws IllegalArgumentException when {@code typeId} is negative
     */
    default long tryClaim(int typeId, int length) {
        if (typeId == 0) {
            return tryClaim(length);
        }
        throw new UnsupportedOperationException(getClass().getSimpleName() + " claims type 0 only");
    }

    /** Publishes a claimed message; wakes parked subscribers if there are any. */
    void commit(long position);

    /** Withdraws a claimed message; subscribers skip it. */
    void abort(long position);

    /**
     * The memory claimed messages are written into. Writes through it are the caller's own code: if
     * another process truncates the topic's file, they fault with a raw {@code InternalError}; see
     * "A truncated topic file" above for the catch that makes it a {@link CorruptRingException}.
     */
    MemorySegment buffer();

    /** Where the payload of the claimed message at {@code position} starts in {@link #buffer()}. */
    long payloadOffset(long position);

    /** Largest message accepted. */
    int maxMessageLength();

    /** Releases the publisher's slot. Later calls return {@link Result#CLOSED}. Idempotent. */
    @Override
    void close();
}
