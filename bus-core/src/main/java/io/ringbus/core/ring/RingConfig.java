package io.ringbus.core.ring;

/**
 * The shape of a new ring, with fluent setters; {@link #conclude()} fills the defaults and rejects
 * anything out of range with an {@link IllegalArgumentException} that says which value and why.
 * Defaults follow the settings they derive from, and every conclude validates the current values,
 * so a config may be changed and used again.
 */
public final class RingConfig {
    /** Default capacity: 1 MiB of data area. */
    public static final int DEFAULT_CAPACITY = 1 << 20;
    /** Default number of cursor slots. */
    public static final int DEFAULT_MAX_CURSORS = 64;

    private int capacity = DEFAULT_CAPACITY;
    /** As set; zero means the default, capacity / 8. */
    private int maxMessageLength;
    private int maxCursors = DEFAULT_MAX_CURSORS;
    private ProducerMode producerMode = ProducerMode.MANY;
    private long initialPosition;

    /**
     * A config with every default: {@link #DEFAULT_CAPACITY} bytes, {@link #DEFAULT_MAX_CURSORS}
     * cursors, {@link ProducerMode#MANY}, a maximum message length of capacity / 8, initial position 0.
     */
    public RingConfig() {
    }

    /** Bytes in the data area: a power of two. */
    public RingConfig capacity(int capacity) {
        this.capacity = capacity;
        return this;
    }

    /** Largest payload a publisher may write; at most, and by default, capacity / 8. */
    public RingConfig maxMessageLength(int maxMessageLength) {
        this.maxMessageLength = maxMessageLength;
        return this;
    }

    /** How many readers may hold a cursor at once. */
    public RingConfig maxCursors(int maxCursors) {
        this.maxCursors = maxCursors;
        return this;
    }

    /** One publisher (no compare-and-set) or many. */
    public RingConfig producerMode(ProducerMode producerMode) {
        this.producerMode = producerMode;
        return this;
    }

    /** The position of the first record; a multiple of 16. Tests use it to start near 2^63. */
    public RingConfig initialPosition(long initialPosition) {
        this.initialPosition = initialPosition;
        return this;
    }

    /** Validates the current values, defaults filled in; returns this. Idempotent. */
    public RingConfig conclude() {
        if (capacity < RingDescriptor.MIN_CAPACITY || capacity > RingDescriptor.MAX_CAPACITY
            || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity " + capacity + " must be a power of two between "
                + RingDescriptor.MIN_CAPACITY + " and " + RingDescriptor.MAX_CAPACITY);
        }
        int messageLength = maxMessageLength();
        if (messageLength < 1 || messageLength > capacity / 8) {
            throw new IllegalArgumentException("maxMessageLength " + messageLength
                + " must be between 1 and capacity/8 = " + (capacity / 8) + "; raise the capacity for longer messages");
        }
        if (maxCursors < 1 || maxCursors > RingDescriptor.MAX_CURSORS) {
            throw new IllegalArgumentException("maxCursors " + maxCursors + " must be between 1 and "
                + RingDescriptor.MAX_CURSORS);
        }
        if (producerMode == null) {
            throw new IllegalArgumentException("producerMode must be SINGLE or MANY");
        }
        if (initialPosition < 0 || !RecordDescriptor.isAligned(initialPosition)
            || initialPosition > Long.MAX_VALUE - 2L * capacity) {
            throw new IllegalArgumentException("initialPosition " + initialPosition
                + " must be a non-negative multiple of " + RecordDescriptor.ALIGNMENT
                + " at least two capacities below 2^63");
        }
        return this;
    }

    /** The data area's size in bytes as set (a power of two once {@link #conclude()} accepted it). */
    public int capacity() {
        return capacity;
    }

    /** The maximum message length as set, or capacity / 8 when it was left at zero. */
    public int maxMessageLength() {
        return maxMessageLength == 0 ? capacity / 8 : maxMessageLength;
    }

    /** The number of cursor slots as set: at most this many readers at once. */
    public int maxCursors() {
        return maxCursors;
    }

    /** The producer mode as set. */
    public ProducerMode producerMode() {
        return producerMode;
    }

    /** The position of the ring's first record as set, in bytes. */
    public long initialPosition() {
        return initialPosition;
    }

    /** Bytes of segment this ring needs. */
    public long requiredLength() {
        conclude();
        return RingDescriptor.requiredLength(capacity, maxCursors);
    }
}
