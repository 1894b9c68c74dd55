package io.ringbus.core.ring;

import io.ringbus.core.ring.internal.ClaimIntent;
import io.ringbus.core.ring.internal.RingSlots;

/** The ring package's side of {@link RingSlots}: calls into the package-private slot-level code. */
final class SlotAccess implements RingSlots.Access {
    @Override
    public int takeFreeSlot(Ring ring) {
        return RingReader.takeFreeSlot(ring);
    }

    @Override
    public RingReader join(Ring ring, int slotIndex, boolean earliest, boolean alwaysValidate) {
        return RingReader.join(ring, slotIndex, earliest, alwaysValidate);
    }

    @Override
    public RingReader attach(Ring ring, int slotIndex, boolean alwaysValidate) {
        return RingReader.attach(ring, slotIndex, alwaysValidate);
    }

    @Override
    public RingReader attachEvicted(Ring ring, int slotIndex, boolean alwaysValidate) {
        return RingReader.attachEvicted(ring, slotIndex, alwaysValidate);
    }

    @Override
    public void detach(RingReader reader) {
        reader.detach();
    }

    @Override
    public RingWriter newWriter(Ring ring, int ownerId, ClaimIntent intent) {
        return ring.newWriter(ownerId, intent);
    }

    @Override
    public long advanceCommittedHead(Ring ring, long upTo) {
        return ring.advanceCommittedHead(upTo);
    }
}
