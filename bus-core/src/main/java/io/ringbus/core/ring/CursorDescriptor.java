package io.ringbus.core.ring;

/**
 * Layout of one reader cursor slot. Slots are {@link #SLOT_LENGTH} bytes, two cache lines, so that
 * neither a reader's position updates nor the adjacent-line prefetcher make one reader slow another.
 *
 * <pre>
 *   0                                  8                   12                  16
 *   +----------------------------------+-------------------+-------------------+
 *   | position (long)                  | state (int)       | reserved (int)    |
 *   +----------------------------------+-------------------+-------------------+
 *   | reserved for the bus layer (wakeup word, owner, durable name): 112 bytes |
 *   +---------------------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li><b>position</b>: everything below it has been consumed: the next position this reader will
 *       read, or, for a reader that defers its commits, the position it last committed. Written by
 *       the reader with release ordering; read by producers with volatile loads when they recompute
 *       their limit.</li>
 *   <li><b>state</b>: {@link #FREE}, {@link #JOINING} or {@link #ACTIVE}. Only ACTIVE cursors hold
 *       producers back. A reader takes a FREE slot by compare-and-set.</li>
 * </ul>
 *
 * <p>Joining is the delicate step. A producer caches its limit and may have computed it before the
 * new cursor became ACTIVE; and producers rely on no claim being pending below an active cursor.
 * So a joining reader:
 * <ol>
 *   <li>reads the tail and picks its lowest acceptable start: the first claim pending below the tail
 *       (found through the committed head), or the tail, for a join at the tail; the oldest
 *       committed record (or the resume point) for an {@code earliest} join, never above that first
 *       pending claim;</li>
 *   <li>stores that position and sets ACTIVE (volatile stores);</li>
 *   <li>reads the ring's published limit (a volatile load). A producer raises the published limit
 *       with a compare-and-set <em>before</em> its last look at the cursors, so (both sides being
 *       sequentially consistent) either that look saw this cursor, or this load sees the limit. No
 *       producer can therefore write at or above {@code published limit - capacity} before it has
 *       seen the cursor;</li>
 *   <li>starts at the first record at or above that bound (and never above the first claim pending
 *       now), raising its position to it. The position only ever moves up after step 2, since a
 *       producer may already hold a limit computed from it.</li>
 * </ol>
 * A tethered reader is thus never overtaken, even when it joins at {@code earliest} beside a producer
 * running flat out; what it leaves out is the oldest data that producers were already entitled to
 * overwrite, at most {@code Ring.limitReserve()} bytes (producers cache no more than that past the
 * tail they saw). A reader that producers may evict starts at its candidate and reads by validated
 * copy instead.
 */
public final class CursorDescriptor {
    /** Bytes per cursor slot. */
    public static final int SLOT_LENGTH = 128;

    /** Offset of the cursor position within a slot. */
    public static final int POSITION_OFFSET = 0;
    /** Offset of the slot state within a slot. */
    public static final int STATE_OFFSET = 8;
    /** First byte of the area reserved for the bus layer. */
    public static final int EXTENSION_OFFSET = 16;

    /** The slot is unused. */
    public static final int FREE = 0;
    /** A reader owns the slot but does not yet hold producers back. */
    public static final int JOINING = 1;
    /** A reader owns the slot and holds producers back at its position. */
    public static final int ACTIVE = 2;

    private CursorDescriptor() {
    }
}
