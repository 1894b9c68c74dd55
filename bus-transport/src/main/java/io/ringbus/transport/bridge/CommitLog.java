package io.ringbus.transport.bridge;

import io.ringbus.core.topic.ShmSubscriber;
import io.ringbus.transport.MalformedFrameException;

/**
 * For a stream client with explicit commits: turns its {@code COMMIT} frames (how many of the
 * messages sent on this connection it has consumed) into commits of the bridge's own subscription,
 * to the end of exactly that message ({@link ShmSubscriber#commitMessages}, which walks the records
 * delivered since the last commit: no table of positions, nothing allocated, whatever the client has
 * in flight).
 *
 * <p>An eviction's rejoin commits everything delivered before it; messages sent until then are not
 * counted again.
 */
final class CommitLog {
    private final ShmSubscriber subscriber;
    private long sent;
    private long committed;
    /** Messages sent before the last rejoin, committed by it. */
    private long rejoinedAt;
    private long frames;

    CommitLog(ShmSubscriber subscriber) {
        this.subscriber = subscriber;
    }

    /** One more message was sent. */
    void sent() {
        sent++;
    }

    /** The subscription rejoined after an eviction: what was sent so far counts as committed. */
    void rejoined() {
        rejoinedAt = sent;
    }

    /**
     * The client has consumed its first {@code count} messages: commits the subscription to the end of
     * the last of them.
     *
     * @throws MalformedFrameException when {@code count} goes back or past what was sent
     */
    void commit(long count) {
        if (count < committed || count > sent) {
            throw new MalformedFrameException("COMMIT of " + count + " messages, but " + sent + " were sent and "
                + committed + " committed already");
        }
        long from = Math.max(committed, rejoinedAt);
        committed = count;
        frames++;
        if (count > from) {
            subscriber.commitMessages(count - from);
        }
    }

    /** COMMIT frames received so far. */
    long frames() {
        return frames;
    }

    /** Whether the client has messages it has not committed yet. */
    boolean pending() {
        return committed < sent;
    }
}
