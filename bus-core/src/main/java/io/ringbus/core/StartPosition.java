package io.ringbus.core;

/** Where a new subscriber starts reading. A durable subscriber that already exists resumes instead. */
public enum StartPosition {
    /** At the tail: only messages published from now on. */
    LATEST,
    /**
     * At the oldest message still in the ring that no publisher may overwrite any more: on a ring that
     * has wrapped, up to {@code Ring.limitReserve()} bytes (a quarter of the ring, or two of its largest
     * records) of the oldest messages may be left out, because a publisher was already entitled to
     * overwrite them (see {@code CursorDescriptor}). A tethered subscriber is never overtaken.
     */
    EARLIEST
}
