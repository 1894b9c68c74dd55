package io.ringbus.transport.codec;

import io.ringbus.core.Publisher;
import java.lang.foreign.MemorySegment;

/**
 * What every claim view shares: one claim at a time on one publisher, its position, and the address of its
 * payload, which the subclass points its library's view at. Not thread-safe: one thread at a time, as the
 * publisher.
 */
abstract class ClaimedRegion implements AutoCloseable {
    private static final long NONE = -1;

    private final Publisher publisher;
    private long position = NONE;
    private int length;

    ClaimedRegion(Publisher publisher) {
        if (publisher == null) {
            throw new IllegalArgumentException("publisher must not be null");
        }
        this.publisher = publisher;
    }

    /**
     * Claims a message of {@code length} bytes and points the view at its payload.
     *
     * @return the message's position, or a negative {@link io.ringbus.core.Result} code (nothing claimed, the
     *     view points nowhere new)
     * @throws IllegalStateException when a claim of this view is still open (commit or abort it first)
     * @throws IllegalArgumentException when {@code length} is over the publisher's maximum
     */
    public final long tryClaim(int length) {
        if (position != NONE) {
            throw new IllegalStateException("the claim at position " + position + " is still open: commit() or"
                + " abort() it before claiming again");
        }
        long result = publisher.tryClaim(length);
        if (result >= 0) {
            long address = Segments.address(publisher.buffer(), publisher.payloadOffset(result), length);
            position = result;
            this.length = length;
            pointAt(address, length);
        }
        return result;
    }

    /** Publishes the claimed message. */
    public final void commit() {
        long claimed = requireClaim("commit");
        beforeCommit(length);
        position = NONE;
        publisher.commit(claimed);
    }

    /** Withdraws the claimed message: subscribers skip it. */
    public final void abort() {
        long claimed = requireClaim("abort");
        position = NONE;
        publisher.abort(claimed);
    }

    /** The position of the open claim, or -1 when there is none. */
    public final long position() {
        return position;
    }

    /** The publisher this view claims on. */
    public final Publisher publisher() {
        return publisher;
    }

    /** Points the library's view at {@code length} bytes at {@code address}. */
    abstract void pointAt(long address, int length);

    /** Last chance to touch the claim before it is published (zero what was left unwritten, say). */
    void beforeCommit(int length) {
    }

    private long requireClaim(String action) {
        if (position == NONE) {
            throw new IllegalStateException(action + "() without an open claim: tryClaim(length) first, and check"
                + " that it returned a position (zero or more)");
        }
        return position;
    }

    /** Aborts a claim still open (so subscribers do not wait at it), then releases the view. Idempotent. */
    @Override
    public void close() {
        if (position != NONE) {
            abort();
        }
        release();
    }

    /** Releases what the library's view holds. */
    void release() {
    }

    /** Checks and address arithmetic shared by claims and payloads. */
    static final class Segments {
        private Segments() {
        }

        /**
         * The address of {@code [offset, offset + length)} of {@code buffer}, after checking that it lies
         * inside a native segment (the views are raw pointers: they must never be pointed out of range).
         */
        static long address(MemorySegment buffer, long offset, int length) {
            if (!buffer.isNative()) {
                throw new IllegalArgumentException("codec views need native memory (a ring or a direct buffer),"
                    + " not " + buffer);
            }
            if (offset < 0 || length < 0 || offset > buffer.byteSize() - length) {
                throw new IndexOutOfBoundsException("[" + offset + ", " + offset + " + " + length
                    + ") is outside the segment of " + buffer.byteSize() + " bytes");
            }
            return buffer.address() + offset;
        }
    }
}
