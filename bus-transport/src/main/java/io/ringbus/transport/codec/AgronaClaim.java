package io.ringbus.transport.codec;

import io.ringbus.core.Publisher;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An Agrona {@link MutableDirectBuffer} over each message a publisher claims, for SBE's generated encoders
 * (and anything else written against Agrona buffers): encode straight into the ring, then {@link #commit()}.
 *
 * <pre>{@code
 * AgronaClaim claim = new AgronaClaim(publisher);                           // once
 * int length = MessageHeaderEncoder.ENCODED_LENGTH + OrderEncoder.BLOCK_LENGTH;
 * if (claim.tryClaim(length) >= 0) {                                        // per message: 0 B allocated
 *     encoder.wrapAndApplyHeader(claim.buffer(), 0, header).price(...);     // the payload starts at index 0
 *     claim.commit();
 * }
 * }</pre>
 *
 * <p>{@link #buffer()} is one object for the life of this view, re-pointed by every {@link #tryClaim}: index 0
 * is the payload's first byte, its capacity the claimed length, and Agrona's bounds checks (on unless
 * {@code agrona.disable.bounds.checks} is set) keep every access inside the claim. Valid from a successful
 * claim until its commit or abort. One thread at a time, as the publisher. Needs {@link CodecFlags#AGRONA}.
 */
public final class AgronaClaim extends ClaimedRegion {
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);

    /**
     * A view claiming on {@code publisher}.
     *
     * @throws MissingJvmFlagsException when the JVM lacks {@link CodecFlags#AGRONA}
     */
    public AgronaClaim(Publisher publisher) {
        super(publisher);
        CodecFlags.requireAgrona();
    }

    /** The claimed payload, from index 0 to the claimed length. */
    public MutableDirectBuffer buffer() {
        return buffer;
    }

    @Override
    void pointAt(long address, int length) {
        buffer.wrap(address, length);
    }
}
