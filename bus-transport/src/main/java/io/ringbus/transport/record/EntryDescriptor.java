package io.ringbus.transport.record;

/**
 * Layout of one entry of a recording: one Chronicle Queue document of raw bytes (no Wire field names),
 * little-endian, so that a reader in another language needs only Chronicle's document framing.
 *
 * <pre>
 *   0      1        4           8                 16                    24          28         32
 *   +------+--------+-----------+-----------------+---------------------+-----------+----------+
 *   | kind | flags  | type id   | ring position   | time (ns)           | length    | 0        |
 *   |      | 0 0    |           |                 |                     |           |          |
 *   +------+--------+-----------+-----------------+---------------------+-----------+----------+
 *   | MESSAGE: length bytes of payload                                                          |
 *   | GAP:     to position (8) | missed bytes (8)          (length is 16)                       |
 *   +-------------------------------------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li><b>kind</b>: {@link #MESSAGE} or {@link #GAP}.</li>
 *   <li><b>flags</b> (one byte, then two zero bytes): {@link #FLAG_PUBLISH_TIME} when <i>time</i> is the
 *       message's publish time (its topic was created with timestamps); otherwise it is the receive time.</li>
 *   <li><b>type id</b>: the record's type in the ring (0 for messages a {@code Publisher} wrote).</li>
 *   <li><b>ring position</b>: where the message's record started in the topic's ring (64-bit, never wraps);
 *       for a gap, where the recorder was when it was evicted. Positions grow from entry to entry: that is
 *       how a restarted recorder knows which messages it has (it skips any at or below the last).</li>
 *   <li><b>time</b>: nanoseconds since the Unix epoch: when the message was published, on a topic with
 *       timestamps ({@link #FLAG_PUBLISH_TIME}); otherwise when the recorder read it (its receive time). A gap
 *       holds the receive time.</li>
 *   <li><b>GAP</b>: the recorder was evicted (an evictable recorder that fell a whole ring behind): the
 *       messages from ring position to <i>to position</i>, <i>missed bytes</i> of ring (headers and padding
 *       included), were overwritten before it read them.</li>
 * </ul>
 */
public final class EntryDescriptor {
    /** A message: the header, then its payload. */
    public static final byte MESSAGE = 1;
    /** A gap: the header, then the position the recorder resumed at and the bytes it missed. */
    public static final byte GAP = 2;

    /** In the flags byte: the time is the publish time, not the receive time. */
    public static final byte FLAG_PUBLISH_TIME = 1;

    public static final int KIND_OFFSET = 0;
    public static final int FLAGS_OFFSET = 1;
    public static final int TYPE_OFFSET = 4;
    public static final int POSITION_OFFSET = 8;
    public static final int TIME_OFFSET = 16;
    public static final int LENGTH_OFFSET = 24;
    /** Bytes before the payload (or the gap's fields). */
    public static final int HEADER_LENGTH = 32;
    /** A gap's fields, after the header: to position, then missed bytes. */
    public static final int GAP_LENGTH = 16;

    private EntryDescriptor() {
    }
}
