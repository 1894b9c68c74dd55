package io.ringbus.core;

import io.ringbus.core.ring.MessageHandler;

/**
 * Receives every message of one topic committed after its start position, in the topic's total
 * order, zero-copy. The same contract holds on every path.
 *
 * <p><b>Delivery.</b> A live tethered subscriber (the default policy) loses nothing: publishers
 * wait for it. A message counts as consumed once its handler returns or throws. A durable
 * subscriber records that after each message, so a successor of the same name resumes at the next
 * one: nothing lost, nothing repeated (the one exception is a process killed between a handler's
 * return and that single store). An evictable subscriber that stalled past its limit is told what
 * it missed through its {@link LossListener} and continues from the oldest message still in the
 * ring.
 *
 * <p><b>Threads.</b> One thread at a time polls a subscriber. {@link #close()} may be called from
 * another thread to end an {@link #await} early.
 *
 * <p><b>Memory.</b> The handler sees the payload in the ring itself, valid until it returns.
 *
 * <p><b>A truncated topic file.</b> Accesses to pages another process cut off fault; the typed error is
 * a {@link CorruptRingException} naming the file. {@link #await} raises it itself once it parks or
 * sleeps; a faulting read in {@link #poll} or in a handler may surface as a raw {@code InternalError}
 * just past the call, as {@link Publisher} explains: catch it around the polling loop and throw
 * {@link LostPages#typed(InternalError)}.
 */
public interface Subscriber extends AutoCloseable {
    /**
     * Delivers up to {@code limit} messages that are ready, without waiting.
     *
     * @return the number delivered; 0 when none was ready or the subscriber is closed
     * @throws CorruptRingException when the topic holds something no publisher writes, or lost pages
     */
    int poll(MessageHandler handler, int limit);

    /**
     * Delivers up to {@code limit} messages, waiting (as the subscriber's {@link WakeupMode} says)
     * until at least one is ready, or the timeout passes, or the subscriber is closed.
     *
     * @return the number delivered; 0 on timeout, close or interrupt (the interrupt flag stays set)
     */
    int await(MessageHandler handler, int limit, long timeoutNanos);

    /** The position of the next message this subscriber will read. */
    long position();

    /** Total ring bytes this subscriber missed through evictions. */
    long missedBytes();

    /** Releases the subscriber's slot; a durable subscriber's position is kept. Idempotent. */
    @Override
    void close();
}
