package io.ringbus.transport.codec;

import io.ringbus.core.Publisher;
import net.openhft.chronicle.bytes.BytesOut;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.PointerBytesStore;
import net.openhft.chronicle.bytes.VanillaBytes;

/**
 * A Chronicle {@link BytesOut} over each message a publisher claims: write a {@code BytesMarshallable} (or
 * anything Chronicle Bytes writes) straight into the ring, then {@link #commit()}.
 *
 * <pre>{@code
 * ChronicleClaim claim = new ChronicleClaim(publisher);          // once
 * if (claim.tryClaim(Order.LENGTH) >= 0) {                       // per message: no copy, 0 B allocated
 *     order.writeMarshallable(claim.bytes());
 *     claim.commit();
 * }
 * }</pre>
 *
 * <p><b>Bounds.</b> The view's write limit is the claimed length: a write past it throws Chronicle's
 * {@code BufferOverflowException} and touches nothing outside the claim (abort the claim then). A message
 * is the whole claim: bytes the writer left unwritten ({@link BytesOut#writePosition()} to the claimed
 * length) are zeroed at commit, so a subscriber never sees bytes of an earlier message.
 *
 * <p><b>Lifetime.</b> {@link #bytes()} is one object for the life of this view, re-pointed by every
 * {@link #tryClaim}; it is valid from a successful claim until its commit or abort. One thread at a time,
 * as the publisher. Needs {@link CodecFlags#CHRONICLE}.
 */
public final class ChronicleClaim extends ClaimedRegion {
    private final PointerBytesStore store;
    private final VanillaBytes<Void> bytes;

    /**
     * A view claiming on {@code publisher}.
     *
     * @throws MissingJvmFlagsException when Chronicle cannot start in this JVM (see {@link CodecFlags})
     */
    public ChronicleClaim(Publisher publisher) {
        super(publisher);
        try {
            store = BytesStore.nativePointer();
            bytes = VanillaBytes.wrap(store);
        } catch (LinkageError | UnsupportedOperationException failure) {
            throw CodecFlags.chronicleFailed(failure);
        }
        // Handed between threads like the publisher it serves: Chronicle's owner-thread check would refuse that.
        store.singleThreadedCheckDisabled(true);
        bytes.singleThreadedCheckDisabled(true);
    }

    /** The claimed payload: write position 0, write limit the claimed length. */
    public BytesOut<Void> bytes() {
        return bytes;
    }

    @Override
    void pointAt(long address, int length) {
        store.set(address, length);
        bytes.clear(); // positions to 0, limits to the store's new capacity
    }

    @Override
    void beforeCommit(int length) {
        long written = bytes.writePosition();
        if (written < length) {
            store.zeroOut(written, length);
        }
    }

    @Override
    void release() {
        bytes.releaseLast();
    }
}
