package io.ringbus.core;

/** Where a new subscriber starts reading. A durable subscriber that already exists resumes instead. */
public enum StartPosition {
    /** At the tail: only messages published from now on. */
    LATEST,
    /** At the oldest message still in the ring. */
    EARLIEST
}
