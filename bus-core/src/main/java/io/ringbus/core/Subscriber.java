package io.ringbus.core;

import io.ringbus.core.ring.MessageHandler;

/**
 * Receives every message of one topic committed after its start position, in the topic's total
 * order, zero-copy. The same contract holds on every path.
 *
 * <p><b>Delivery.</b> A live tethered subscriber (the default policy) loses nothing: publishers
 * wait for it. An evictable subscriber that stalled past its limit is told what it missed through
 * its {@link LossListener} and continues from the oldest message still in the ring.
 *
 * <p><b>Commits.</b> What a subscriber has consumed is what it has committed: publishers wait for
 * it there, and a durable successor of the same name resumes right after it. By default a message
 * is committed once its handler returns or throws: a durable subscriber stores that after each
 * message, so its successor repeats nothing unless the process was killed between a handler's return
 * and that single store (then that one message comes again). That is right for a handler whose work
 * is done when it returns. A handler that only hands the message on (into a buffer, a batch, a
 * file not yet written) needs {@link SubscriberConfig#explicitCommit explicit commits}: then
 * {@code poll} and {@code await} deliver, and nothing counts as consumed until {@link #commit()};
 * call it once what the handlers produced is safe (written, flushed). After a crash the successor
 * gets again exactly what was delivered after the last commit: at-least-once, and the repeat is
 * bounded by what the application delivers between two commits.
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
    /** What {@link #publishTime()} returns when the message in hand carries no publish time. */
    long NO_PUBLISH_TIME = Long.MIN_VALUE;

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

    /**
     * With {@link SubscriberConfig#explicitCommit explicit commits}: marks every message delivered
     * so far as consumed. Publishers may then reuse the ring space (a subscriber that never commits
     * holds them back once it is a ring ahead of its last commit, and then gets nothing more), and a
     * durable successor resumes right after the last message delivered before this call. On shared
     * memory this is one release store of the cursor (no system call, no allocation): the handlers'
     * reads of the messages happen before a publisher can overwrite them. On a stream path it writes
     * a {@code COMMIT} frame naming how many messages this connection delivered; the bridge commits
     * its own cursor to the end of that message when it reads the frame (a frame written before this
     * process died still counts). Does nothing without explicit commits, or once closed. Call it from
     * the polling thread.
     */
    void commit();

    /**
     * The position of the next message this subscriber will read; inside a handler, the position
     * right after the message in hand.
     */
    long position();

    /**
     * Inside a handler: when the message in hand was published, in nanoseconds since the Unix epoch (the
     * publisher's {@code CLOCK_REALTIME} at its claim, comparable across the processes of a machine), on a
     * topic created with {@link TopicConfig#timestamps(boolean) timestamps}; {@link #NO_PUBLISH_TIME} on any
     * other topic, and on stream paths, which do not carry it. After the handler returns it stays that of the
     * last message delivered. Reads a field: no system call, no allocation.
     */
    default long publishTime() {
        return NO_PUBLISH_TIME;
    }

    /** Total ring bytes this subscriber missed through evictions. */
    long missedBytes();

    /**
     * Releases the subscriber's slot; a durable subscriber's position is kept (with explicit commits:
     * its last commit; close does not commit). Idempotent.
     */
    @Override
    void close();
}
