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
 *   32: reserved to 128
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

    public static final int FREE = 0;
    public static final int ACTIVE = 1;

    private PublisherSlotDescriptor() {
    }
}
