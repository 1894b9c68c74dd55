package io.ringbus.core.ring.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Where a writer notes the claim it is about to take (compete for, with many producers): the tail it expects and
 * the bytes it will take, as two plain stores at {@code offset} (a long position, then an int
 * length). If the writer's process dies after winning the tail but before storing its claim marker,
 * this note is the only record of how long its claim was.
 *
 * @param segment the memory holding the note (a publisher slot)
 * @param offset where the position is; the length follows at {@code offset + 8}
 */
public record ClaimIntent(MemorySegment segment, long offset) {
    /** Stores a note. */
    public void record(long position, long length) {
        segment.set(ValueLayout.JAVA_LONG, offset, position);
        segment.set(ValueLayout.JAVA_INT, offset + 8, (int) length);
    }

    /** The noted position. */
    public long position() {
        return segment.get(ValueLayout.JAVA_LONG, offset);
    }

    /** The noted claim length. */
    public int length() {
        return segment.get(ValueLayout.JAVA_INT, offset + 8);
    }
}
