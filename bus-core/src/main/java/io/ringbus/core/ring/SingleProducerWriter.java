package io.ringbus.core.ring;

import io.ringbus.core.RingBusException;

/**
 * The writer of a {@link ProducerMode#SINGLE} ring: it owns the tail, keeps it in a field, and
 * publishes it with a release store per claim. No compare-and-set on the hot path; the cursor scan
 * runs only when a claim would pass the cached limit.
 */
final class SingleProducerWriter extends AbstractRingWriter {
    private long tail;
    private long limit;

    SingleProducerWriter(Ring ring, int ownerId) {
        super(ring, ownerId);
        if (ring.producerMode() != ProducerMode.SINGLE) {
            throw new RingBusException("ring is for many producers; use its own writer (Ring.newWriter())");
        }
        tail = ring.tail();
        checkTail(tail);
        limit = refreshLimit();
    }

    @Override
    public long tryClaim(int typeId, int length) {
        int recordLength = checkedRecordLength(typeId, length);
        long claimTail = tail;
        long claimLength = claimLength(claimTail, recordLength);
        if (claimLength > limit - claimTail) {
            limit = refreshLimit();
            if (claimLength > limit - claimTail) {
                return refusal(claimTail, claimLength);
            }
        }
        long position = writeClaim(claimTail, claimLength, recordLength, typeId, length);
        tail = claimTail + claimLength;
        Memory.setLongRelease(segment, RingDescriptor.TAIL_OFFSET, tail);
        return position;
    }

    private long refreshLimit() {
        Memory.setLongVolatile(segment, RingDescriptor.TAIL_OFFSET, tail);
        return scanLimit(tail);
    }
}
