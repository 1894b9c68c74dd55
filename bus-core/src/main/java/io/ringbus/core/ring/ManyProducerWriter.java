package io.ringbus.core.ring;

import io.ringbus.core.ring.internal.ClaimIntent;
import io.ringbus.core.ring.internal.Memory;

/**
 * A writer of a {@link ProducerMode#MANY} ring: each claim is a compare-and-set of the shared tail,
 * so any number of these, in any threads and processes, may write at once. Each keeps its own
 * cached limit; a stale one is still safe (a limit only ever covers records every cursor has
 * passed, or that no reader joined in time to see), merely conservative.
 */
final class ManyProducerWriter extends AbstractRingWriter {
    private final ClaimIntent intent;
    private long limit;

    ManyProducerWriter(Ring ring, int ownerId, ClaimIntent intent) {
        super(ring, ownerId);
        this.intent = intent;
        limit = refreshLimit();
    }

    @Override
    long reserve(int bytes) {
        while (true) {
            long claimTail = Memory.getLongVolatile(segment, RingDescriptor.TAIL_OFFSET);
            checkTail(claimTail);
            long claimLength = claimLength(claimTail, bytes);
            long claimLimit = limit;
            if (claimLength > claimLimit - claimTail) {
                claimLimit = refreshLimit();
                limit = claimLimit;
                if (claimLength > claimLimit - claimTail) {
                    return refusal(claimTail, claimLength);
                }
            }
            if (intent != null) {
                // Plain stores: the compare-and-set below is a full fence that publishes them first.
                intent.record(claimTail, claimLength);
            }
            if (Memory.casLong(segment, RingDescriptor.TAIL_OFFSET, claimTail, claimTail + claimLength)) {
                return claimTail;
            }
        }
    }

    private long refreshLimit() {
        long observedTail = Memory.getLongVolatile(segment, RingDescriptor.TAIL_OFFSET);
        checkTail(observedTail);
        return scanLimit(observedTail);
    }
}
