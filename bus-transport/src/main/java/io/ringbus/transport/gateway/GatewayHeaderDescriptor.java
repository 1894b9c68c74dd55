package io.ringbus.transport.gateway;

import java.nio.ByteOrder;

/**
 * The layout of an Aeron message the gateway sends: a batch of one or more messages of the source ring, in ring
 * order, little-endian. A batch header, then each message as an entry header and its payload padded to 8 bytes:
 *
 * <pre>
 *   batch header
 *   0           4           8                     16                    24
 *   +-----------+-----------+---------------------+---------------------+
 *   | magic     | count     | source id           | from position       |
 *   +-----------+-----------+---------------------+---------------------+
 *   count entries, each
 *   0           4           8                     16
 *   +-----------+-----------+---------------------+-------------------------------+
 *   | type id   | length    | to position         | payload, padded to 8 bytes    |
 *   +-----------+-----------+---------------------+-------------------------------+
 * </pre>
 *
 * <ul>
 *   <li><b>magic</b>: {@link #MAGIC}, "RBG" and the layout version 2; an importer drops (and counts) anything
 *       else, and anything whose entries do not fit the message exactly.</li>
 *   <li><b>count</b>: the entries that follow, at least one.</li>
 *   <li><b>source id</b>: which topic file the positions belong to (its inode number): a topic deleted and
 *       created again starts its positions from 0, and the importer must not take its messages for
 *       repeats.</li>
 *   <li><b>from position</b>: where the exporter's cursor was before the batch's first message: the end of the
 *       previous message it sent, or where it resumed after a restart or an eviction. Padding records between two
 *       messages lie inside the range, so it is not the message's own start.</li>
 *   <li><b>type id</b>: the record's type in the source ring (0 for everything a {@code Publisher} writes).</li>
 *   <li><b>length</b>: the payload's bytes (the padding after it is not counted).</li>
 *   <li><b>to position</b>: right after this message's record in the source ring. The next entry's <i>from</i>
 *       is this <i>to</i>.</li>
 * </ul>
 *
 * <p>The positions chain: on an unbroken stream each message's <i>from</i> is the previous one's <i>to</i>. A
 * receiver that last saw <i>to</i> = T and now gets a message with <i>to</i> &le; T has it already (a
 * restarted exporter sends again what it had not committed); one with <i>from</i> &gt; T follows a gap of
 * <i>from</i> &minus; T ring bytes that will never come (an eviction, or a kill that lost what the dead
 * media driver had not yet delivered).
 *
 * <p>Why batches: Aeron frames every message with a 32-byte header aligned to 32 bytes, so a 64-byte message
 * behind a header of its own took 128 bytes on the wire where raw Aeron takes 96; in a batch that fills a
 * datagram it takes 80, and the importer handles one Aeron fragment per batch.
 */
public final class GatewayHeaderDescriptor {
    /** "RBG" and layout version 2, as a little-endian int32. */
    public static final int MAGIC = 0x02474252;
    public static final int MAGIC_OFFSET = 0;
    public static final int COUNT_OFFSET = 4;
    public static final int SOURCE_ID_OFFSET = 8;
    public static final int FROM_POSITION_OFFSET = 16;
    /** Bytes before the first entry. */
    public static final int BATCH_HEADER_LENGTH = 24;
    public static final int ENTRY_TYPE_OFFSET = 0;
    public static final int ENTRY_LENGTH_OFFSET = 4;
    public static final int ENTRY_TO_POSITION_OFFSET = 8;
    /** Bytes of an entry before its payload. */
    public static final int ENTRY_HEADER_LENGTH = 16;
    /** Each entry starts at a multiple of this from the batch's start. */
    public static final int ENTRY_ALIGNMENT = 8;
    /** Every field is little-endian, whatever the machine. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    private GatewayHeaderDescriptor() {
    }

    /** The bytes an entry of {@code payloadLength} takes: its header and the payload padded to the alignment. */
    public static int entryLength(int payloadLength) {
        return ENTRY_HEADER_LENGTH + (payloadLength + ENTRY_ALIGNMENT - 1 & -ENTRY_ALIGNMENT);
    }
}
