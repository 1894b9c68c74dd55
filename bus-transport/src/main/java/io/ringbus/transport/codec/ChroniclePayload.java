package io.ringbus.transport.codec;

import java.lang.foreign.MemorySegment;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.PointerBytesStore;
import net.openhft.chronicle.bytes.VanillaBytes;

/**
 * A Chronicle {@link BytesIn} over the payload a subscriber's handler is given: read a
 * {@code BytesMarshallable} straight from the ring.
 *
 * <pre>{@code
 * ChroniclePayload payload = new ChroniclePayload();             // once
 * MessageHandler handler = (typeId, buffer, offset, length) ->   // per message: no copy, 0 B allocated
 *     order.readMarshallable(payload.wrap(buffer, offset, length));
 * }</pre>
 *
 * <p>The view returned by {@link #wrap} is one object for the life of this payload view, re-pointed by every
 * call: read position 0, read limit the payload's length (a read past it throws Chronicle's
 * {@code BufferUnderflowException}). It is valid until the handler returns, as the payload is; the handler
 * must not write through it. One thread at a time. Needs {@link CodecFlags#CHRONICLE}.
 */
public final class ChroniclePayload implements AutoCloseable {
    private final PointerBytesStore store;
    private final VanillaBytes<Void> bytes;

    /**
     * A view to point at payloads.
     *
     * @throws MissingJvmFlagsException when Chronicle cannot start in this JVM (see {@link CodecFlags})
     */
    public ChroniclePayload() {
        try {
            store = BytesStore.nativePointer();
            bytes = VanillaBytes.wrap(store);
        } catch (LinkageError | UnsupportedOperationException failure) {
            throw CodecFlags.chronicleFailed(failure);
        }
        store.singleThreadedCheckDisabled(true);
        bytes.singleThreadedCheckDisabled(true);
    }

    /**
     * Points the view at {@code [offset, offset + length)} of {@code buffer} (a handler's arguments).
     *
     * @throws IllegalArgumentException when {@code buffer} is not native memory
     * @throws IndexOutOfBoundsException when the range is not inside {@code buffer}
     */
    public BytesIn<Void> wrap(MemorySegment buffer, long offset, int length) {
        store.set(ClaimedRegion.Segments.address(buffer, offset, length), length);
        bytes.clear(); // limits to the store's new capacity, which the read limit may not pass
        bytes.readPositionRemaining(0, length);
        return bytes;
    }

    /** Releases the view. */
    @Override
    public void close() {
        bytes.releaseLast();
    }
}
