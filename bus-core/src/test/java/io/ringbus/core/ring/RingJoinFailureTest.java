package io.ringbus.core.ring;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.CorruptRingException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Joins that fail on scribbled memory give their slot back; misaligned segments get a clear error. */
class RingJoinFailureTest {
    private static final RingConfig CONFIG = new RingConfig().capacity(1024).maxCursors(2);

    @Test
    void aJoinThatMeetsAScribbledTailLeavesItsSlotFree() {
        try (Arena arena = Arena.ofConfined()) {
            Ring ring = Ring.format(arena.allocate(CONFIG.requiredLength(), 64), CONFIG);
            MemorySegment segment = ring.segment();
            segment.set(ValueLayout.JAVA_LONG, RingDescriptor.TAIL_OFFSET, 24); // not a record boundary
            assertThrows(CorruptRingException.class, ring::newReader);
            assertThrows(CorruptRingException.class, ring::newReader);
            for (int slot = 0; slot < CONFIG.maxCursors(); slot++) {
                assertEquals(CursorDescriptor.FREE, segment.get(ValueLayout.JAVA_INT,
                    RingDescriptor.cursorOffset(slot) + CursorDescriptor.STATE_OFFSET), "slot " + slot);
            }
            segment.set(ValueLayout.JAVA_LONG, RingDescriptor.TAIL_OFFSET, 0);
            try (RingReader first = ring.newReader(); RingReader second = ring.newReader()) {
                assertEquals(0, first.slotIndex());
                assertEquals(1, second.slotIndex());
            }
        }
    }

    @Test
    void wrappingAMisalignedSegmentIsAClearProgrammerError() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(CONFIG.requiredLength() + 8, 64);
            Ring.format(memory, CONFIG);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ring.wrap(memory.asSlice(4)));
            assertTrue(e.getMessage().contains("8-byte aligned"), e.getMessage());
        }
    }
}
