package io.ringbus.core.topic;

/**
 * Layout of one publisher slot in a topic file. A publisher owns its slot through an fcntl lock on
 * {@link TopicDescriptor#publisherLockByte(int)}; the pid and start time are for tools.
 *
 * <pre>
 *   0          4          8                    16                   24         28         32
 *   +----------+----------+--------------------+--------------------+----------+----------+
 *   | state    | pid      | start time (long)  | intent position    | intent   | reserved |
 *   | (int)    | (int)    | (clock ticks)      | (long)             | length   |          |
 *   +----------+----------+--------------------+--------------------+----------+----------+
 *   32                   36
 *   +----------+
 *   | generation (int): bumped each time a new owner takes the slot
 *   +----------+
 *   36: reserved to 128
 * </pre>
 *
 * <ul>
 *   <li><b>state</b>: {@link #FREE} or {@link #ACTIVE}; taken by compare-and-set, then locked.</li>
 *   <li><b>intent</b>: before each compare-and-set of the ring's tail, a many-producer publisher
 *       writes the tail it expects and the bytes it will claim. If it dies between winning that
 *       compare-and-set and writing the record's claim marker, the intent is how a recoverer learns
 *       the length of the region to turn into padding.</li>
 * </ul>
 */
public final class PublisherSlotDescriptor {
    public static final int SLOT_LENGTH = 128;

    public static final int STATE_OFFSET = 0;
    public static final int PID_OFFSET = 4;
    public static final int START_TIME_OFFSET = 8;
    public static final int INTENT_POSITION_OFFSET = 16;
    public static final int INTENT_LENGTH_OFFSET = 24;
    public static final int GENERATION_OFFSET = 32;

    /** Bits of an owner id that hold the slot index; the rest hold the slot's generation. */
    public static final int SLOT_BITS = 10;
    private static final int GENERATION_MASK = (1 << (31 - SLOT_BITS)) - 1;

    public static final int FREE = 0;
    public static final int ACTIVE = 1;

    private PublisherSlotDescriptor() {
    }

    /**
     * The owner id a publisher writes into its claim markers: its slot's index and generation. A
     * claim whose generation is not the slot's current one belongs to an owner that is gone.
     */
    public static int ownerId(int slotIndex, int generation) {
        return ((generation & GENERATION_MASK) << SLOT_BITS) | slotIndex;
    }

    /** The slot index of an owner id. */
    public static int slotOf(int ownerId) {
        return ownerId & ((1 << SLOT_BITS) - 1);
    }

    /** The generation of an owner id. */
    public static int generationOf(int ownerId) {
        return ownerId >>> SLOT_BITS;
    }

    /** The next generation after {@code generation}, within the bits an owner id has for it. */
    public static int nextGeneration(int generation) {
        return (generation + 1) & GENERATION_MASK;
    }
}
