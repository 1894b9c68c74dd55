package io.ringbus.core.ring;

import java.lang.foreign.MemorySegment;

/**
 * Receives messages from {@link RingReader#poll}, zero-copy.
 *
 * <p>The bytes {@code [offset, offset + length)} of {@code buffer} are the payload, in the ring
 * itself. They are valid only until {@code onMessage} returns: the handler must copy what it keeps.
 * It must not write to {@code buffer}. An exception thrown by the handler propagates out of
 * {@code poll}; the message it was given counts as consumed.
 */
@FunctionalInterface
public interface MessageHandler {
    /**
     * One message.
     *
     * @param typeId the publisher's type id, zero or more
     * @param buffer the ring's memory; read only {@code [offset, offset + length)}
     * @param offset where the payload starts in {@code buffer}
     * @param length payload bytes
     */
    void onMessage(int typeId, MemorySegment buffer, long offset, int length);
}
