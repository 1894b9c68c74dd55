package io.ringbus.transport;

import io.ringbus.core.Publisher;

/**
 * A publisher on a stream path (what {@link BusClient#newPublisher} returns for every URI but
 * {@code shm:}), which can end with the bridge's word that every message is in the ring.
 *
 * <p>{@link #close()} only waits until the stream took the buffered messages: after it the bridge may
 * still hold them unread in the stream, or read but not yet published, and a bridge killed then loses
 * them without a sign. {@link #closeAndConfirm} ends the stream with an {@code END} frame instead and
 * waits for the bridge's {@code PUBLISHED} answer, which it sends once every message before {@code END}
 * is in the ring. A plain {@code close()} stays as it was (bounded, never waiting for the ring): a
 * confirmation may wait as long as a subscriber holds the ring full, so it is asked for explicitly,
 * with a timeout.
 */
public interface ConfirmingPublisher extends Publisher {
    /** {@link #closeAndConfirm}'s answer from a bridge that predates END: sent, but not confirmed. */
    long NOT_CONFIRMED = -1;
    /** A timeout for {@link #closeAndConfirm}: wait while the bridge lives, however long its ring is full. */
    long NO_TIMEOUT = Long.MAX_VALUE;

    /**
     * Writes every buffered message, ends the stream with {@code END}, waits for the bridge's
     * {@code PUBLISHED}, and closes. Messages are confirmed a connection at a time: the answer counts the
     * messages of the current connection, which are the last ones offered (after a reconnection, the
     * ones before it are not counted, since the dead bridge's stream may have lost some of them).
     * {@link #close()}, from another thread, ends the wait: this method then throws.
     *
     * @param timeoutNanos how long to wait for the stream to take the messages and for the answer, in all;
     *     {@link #NO_TIMEOUT} to wait while the connection lasts
     * @return how many messages of the current connection the bridge confirmed in the ring (the last ones
     *     this publisher accepted); {@link #NOT_CONFIRMED} from a bridge that does not answer END (its
     *     WELCOME did not offer it), after the plain close of older releases
     * @throws TransportException when no confirmation came: the connection was broken (before or after
     *     the last message went out), the bridge refused a message, the timeout passed, or close() was
     *     called meanwhile; the message says which. Nothing is known then of this connection's messages:
     *     some or all may be in the ring.
     * @throws IllegalStateException when the publisher is already closed
     */
    long closeAndConfirm(long timeoutNanos);
}
