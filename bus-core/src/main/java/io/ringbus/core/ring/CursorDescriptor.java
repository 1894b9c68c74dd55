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
 *   <li><b>position</b>: the next position this reader will read; everything below it has been
 *       consumed. Written by the reader with release ordering; read by producers with volatile loads
 *       when they recompute their limit.</li>
 *   <li><b>state</b>: {@link #FREE}, {@link #JOINING} or {@link #ACTIVE}. Only ACTIVE cursors hold
 *       producers back. A reader takes a FREE slot by compare-and-set.</li>
 * </ul>
 *
 * <p>Joining is the delicate step. A producer caches its limit and may have computed it before the
 * new cursor became ACTIVE; and producers rely on no claim being pending below an active cursor.
 * So a reader publishes a provisional position at the ring's committed head (never above a pending
 * claim), sets ACTIVE, then reads the tail again and starts at the first claim pending below it, or
 * at it: a limit computed without this cursor came from an earlier tail and stopped short of any
 * claim then pending, so it never reaches the reader's records.
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
