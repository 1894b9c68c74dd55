package io.ringbus.stress.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingConfig;
import io.ringbus.core.ring.RingWriter;
import io.ringbus.core.ring.internal.ClaimRecovery;
import io.ringbus.core.ring.internal.RingSlots;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** The findings of the fuzz targets, each as a plain test that does not depend on a target's generator. */
class FuzzRegressionTest {
    /** topic-file, seed c722ce772c05b975: recovery asked about a position off the record boundaries. */
    @Test
    void recoveryAtAnUnalignedPositionHoldsNoReader() {
        try (Arena arena = Arena.ofConfined()) {
            RingConfig config = new RingConfig().capacity(1024).maxCursors(1);
            Ring ring = Ring.format(arena.allocate(config.requiredLength(), 64), config);
            RingWriter writer = RingSlots.newWriter(ring, 7, null);
            long position = writer.tryClaim(1, 40);
            for (long unaligned : new long[] {position + 2, position + 8, position + 15}) {
                assertEquals(ClaimRecovery.NOT_BLOCKED, ClaimRecovery.ownerAt(ring, unaligned));
                assertFalse(ClaimRecovery.padMarkedClaim(ring, unaligned, 7));
            }
            assertEquals(7, ClaimRecovery.ownerAt(ring, position), "the claim itself is still found");
        }
    }
}
