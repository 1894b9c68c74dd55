package io.ringbus.transport.codec;

import java.lang.foreign.MemorySegment;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An Agrona {@link DirectBuffer} over the payload a subscriber's handler is given, for SBE's generated
 * decoders: decode straight from the ring.
 *
 * <pre>{@code
 * AgronaPayload payload = new AgronaPayload();                              // once
 * MessageHandler handler = (typeId, buffer, offset, length) -> {            // per message: 0 B allocated
 *     DirectBuffer message = payload.wrap(buffer, offset, length);          // index 0 = the payload's first byte
 *     decoder.wrapAndApplyHeader(message, 0, header);
 * };
 * }</pre>
 *
 * <p>The buffer returned by {@link #wrap} is one object for the life of this view, re-pointed by every call;
 * its capacity is the payload's length and Agrona's bounds checks keep reads inside it. It is valid until the
 * handler returns. One thread at a time. Needs {@link CodecFlags#AGRONA}.
 */
public final class AgronaPayload {
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);

    /**
     * A view to point at payloads.
     *
     * @throws MissingJvmFlagsException when the JVM lacks {@link CodecFlags#AGRONA}
     */
    public AgronaPayload() {
        CodecFlags.requireAgrona();
    }

    /**
     * Points the view at {@code [offset, offset + length)} of {@code buffer} (a handler's arguments).
     *
     * @throws IllegalArgumentException when {@code buffer} is not native memory
     * @throws IndexOutOfBoundsException when the range is not inside {@code buffer}
     */
    public DirectBuffer wrap(MemorySegment buffer, long offset, int length) {
        this.buffer.wrap(ClaimedRegion.Segments.address(buffer, offset, length), length);
        return this.buffer;
    }
}
