package io.ringbus.core.ring;

import io.ringbus.core.RingBusException;
import io.ringbus.core.ring.internal.ClaimIntent;
import io.ringbus.core.ring.internal.Memory;
import java.lang.invoke.VarHandle;

/**
 * The writer of a {@link ProducerMode#SINGLE} ring: it owns the tail, keeps it in a field, and
 * publishes it with a release store per claim, before it writes the record (as a many-producer
 * claim does), so that the tail always covers every byte being written. No compare-and-set on the
 * hot path; the cursor scan runs only when a claim would pass the cached limit.
 */
final class SingleProducerWriter extends AbstractRingWriter {
    private final ClaimIntent intent;
    private long tail;
    private long limit;

    SingleProducerWriter(Ring ring, int ownerId, ClaimIntent intent) {
        super(ring, ownerId);
        this.intent = intent;
        if (ring.producerMode() != ProducerMode.SINGLE) {
            throw new RingBusException("ring is for many producers; use its own writer (Ring.newWriter())");
        }
        tail = ring.tail();
        checkTail(tail);
        limit = refreshLimit();
    }

    @Override
    long reserve(int bytes) {
        long claimTail = tail;
        long claimLength = claimLength(claimTail, bytes);
        if (claimLength > limit - claimTail) {
            limit = refreshLimit();
            if (claimLength > limit - claimTail) {
                return refusal(claimTail, claimLength);
            }
        }
        // The tail goes first, as a many-producer claim's compare-and-set does: a validating reader a
        // lap behind checks it after copying, and must see it moved if any byte under it changed.
        // The intent (if this writer notes one) first, as a many-producer writer's: a death between this
        // tail store and the claim marker leaves a claim without a marker, which recovery pads from the
        // intent. A topic's publisher notes none: such a claim is its last, and ends at the tail.
        if (intent != null) {
            intent.record(claimTail, claimLength);
        }
        tail = claimTail + claimLength;
        Memory.setLongRelease(segment, RingDescriptor.TAIL_OFFSET, tail);
        VarHandle.storeStoreFence();
        return claimTail;
    }

    private long refreshLimit() {
        Memory.setLongVolatile(segment, RingDescriptor.TAIL_OFFSET, tail);
        return scanLimit(tail);
    }
}
