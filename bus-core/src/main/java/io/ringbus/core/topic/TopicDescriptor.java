package io.ringbus.core.topic;

/**
 * Layout of a topic file: a header, the publisher slots, then a ring laid out by
 * {@link io.ringbus.core.ring.RingDescriptor} (whose cursor slots are the subscriber slots).
 *
 * <pre>
 *   0                    8          12         16                   24         28         32
 *   +--------------------+----------+----------+--------------------+----------+----------+
 *   | magic (long)       | version  | ready    | file length (long) | publisher| flags    |
 *   |                    | (int)    | (int)    |                    | slots    | (int)    |
 *   +--------------------+----------+----------+--------------------+----------+----------+
 *   32                   40                   48                   56         60         64
 *   +--------------------+--------------------+--------------------+----------+----------+
 *   | ring offset (long) | creator pid (long) | created, epoch ms  | name len | reserved |
 *   +--------------------+--------------------+--------------------+----------+----------+
 *   64: topic name, UTF-8, up to 128 bytes ........................................... 192
 *   256: parked subscribers (int), alone on two cache lines .......................... 384
 *   1024: publisher slots, publisher slots x PublisherSlotDescriptor.SLOT_LENGTH
 *   ring offset (a multiple of 4096): the ring
 * </pre>
 *
 * <ul>
 *   <li><b>ready</b> is written last, with release ordering, after the ring is formatted. The file
 *       is also built under a temporary name and linked into place, so a reader never finds a
 *       half-made topic under its real name; the flag guards against anything that bypasses that.</li>
 *   <li><b>flags</b>: {@link #FLAG_WAKEUP} when publishers check for parked subscribers after each
 *       commit (the price is one full fence per commit); {@link #FLAG_TIMESTAMPS} when every message
 *       starts with its publish time ({@link #TIMESTAMP_LENGTH} bytes, below).</li>
 *   <li><b>parked subscribers</b>: how many subscribers are parked or about to park; publishers read
 *       it after each commit and make system calls only when it is above zero.</li>
 * </ul>
 *
 * <p><b>Timestamped topics.</b> With {@link #FLAG_TIMESTAMPS}, the payload of every ring record (type
 * &gt;= 0) holds the publish time first, then the message:
 *
 * <pre>
 *   ring record payload:  0                          8
 *                         +--------------------------+---------------------------------+
 *                         | publish time (long): ns  | message, record length - 8 bytes |
 *                         | since the Unix epoch     |                                  |
 *                         +--------------------------+---------------------------------+
 * </pre>
 *
 * <p>The publisher stamps it ({@code CLOCK_REALTIME}) when it claims the record; subscribers strip it off
 * and offer it through {@code Subscriber.publishTime()}. The ring's maximum message length includes it, so
 * messages of a timestamped topic can be {@link #TIMESTAMP_LENGTH} bytes shorter.
 *
 * <p>Version 2 added the timestamps flag: version 1 files are refused, as a version 1 reader would take
 * publish times for message bytes. Version 3: the publisher of a single-producer topic notes no claim
 * intent (its one claim that can lack a marker is its last, which ends at the ring's tail; see
 * {@link DeadClaims}); version 2 files are refused, as a version 2 process would find no intent to
 * recover such a claim from.
 *
 * <p>Every field is in the creating machine's native byte order, like the ring's (whose byte-order
 * mark lets a reader of the other order refuse the file); bus-core/FORMAT.md is the whole format.
 *
 * <p>Slot ownership uses fcntl byte-range locks on bytes past the end of the file (a lock needs no
 * data under it): {@link #publisherLockByte(int)} and {@link #subscriberLockByte(int)}. The kernel
 * drops a dead process's locks, which is how a slot's owner is known to be dead.
 */
public final class TopicDescriptor {
    /** "RBTOPIC1" in ASCII, read as a big-endian long. */
    public static final long MAGIC = 0x5242544F50494331L;
    public static final int LAYOUT_VERSION = 3;
    public static final int READY = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int READY_OFFSET = 12;
    public static final int FILE_LENGTH_OFFSET = 16;
    public static final int PUBLISHER_SLOTS_OFFSET = 24;
    public static final int FLAGS_OFFSET = 28;
    public static final int RING_OFFSET_OFFSET = 32;
    public static final int CREATOR_PID_OFFSET = 40;
    public static final int CREATED_MILLIS_OFFSET = 48;
    public static final int NAME_LENGTH_OFFSET = 56;
    public static final int NAME_OFFSET = 64;
    public static final int MAX_NAME_BYTES = 128;
    public static final int PARKED_COUNT_OFFSET = 256;
    public static final int PUBLISHER_SLOTS_START = 1024;

    public static final int FLAG_WAKEUP = 1;
    /** Every message starts with its publish time. */
    public static final int FLAG_TIMESTAMPS = 2;
    /** Bytes of publish time before each message of a timestamped topic. */
    public static final int TIMESTAMP_LENGTH = 8;

    /** Most publisher slots a topic may have. */
    public static final int MAX_PUBLISHER_SLOTS = 1024;

    /** First lock byte; far past any file, so locks never cover data. */
    private static final long LOCK_BASE = 1L << 40;
    private static final long SUBSCRIBER_LOCK_BASE = LOCK_BASE + (1L << 20);
    /** Held briefly by whoever sweeps dead slots, so two sweepers do not free the same slot twice. */
    public static final long SWEEP_LOCK_BYTE = LOCK_BASE - 1;

    private TopicDescriptor() {
    }

    /** Offset of publisher slot {@code index}. */
    public static long publisherSlotOffset(int index) {
        return PUBLISHER_SLOTS_START + (long) index * PublisherSlotDescriptor.SLOT_LENGTH;
    }

    /** Where the ring starts for a topic with this many publisher slots. */
    public static long ringOffset(int publisherSlots) {
        long end = publisherSlotOffset(publisherSlots);
        return (end + 4095) & ~4095L;
    }

    /** The lock byte that a live owner of publisher slot {@code index} holds. */
    public static long publisherLockByte(int index) {
        return LOCK_BASE + index;
    }

    /** The lock byte that a live owner of subscriber slot {@code index} holds. */
    public static long subscriberLockByte(int index) {
        return SUBSCRIBER_LOCK_BASE + index;
    }
}
