package io.ringbus.transport.gateway;

import java.nio.ByteOrder;

/**
 * The header the gateway puts before each message's payload in an Aeron message, little-endian:
 *
 * <pre>
 *   0           4           8                     16                    24                    32
 *   +-----------+-----------+---------------------+---------------------+---------------------+
 *   | magic     | type id   | source id           | from position       | to position         |
 *   +-----------+-----------+---------------------+---------------------+---------------------+
 *   | payload (the rest of the Aeron message)                                                  |
 *   +------------------------------------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li><b>magic</b>: {@link #MAGIC}, "RBG" and the layout version 1; an importer drops (and counts) anything
 *       else.</li>
 *   <li><b>type id</b>: the record's type in the source ring (0 for everything a {@code Publisher} writes).</li>
 *   <li><b>source id</b>: which topic file the positions belong to (its inode number): a topic deleted and
 *       created again starts its positions from 0, and the importer must not take its messages for
 *       repeats.</li>
 *   <li><b>from position</b>: where the exporter's cursor was before this message: the end of the previous
 *       message it sent, or where it resumed after a restart or an eviction. Padding records between two
 *       messages lie inside this range, so it is not the message's own start.</li>
 *   <li><b>to position</b>: right after this message's record in the source ring.</li>
 * </ul>
 *
 * <p>The positions chain: on an unbroken stream each message's <i>from</i> is the previous one's <i>to</i>. A
 * receiver that last saw <i>to</i> = T and now gets a message with <i>to</i> &le; T has it already (a
 * restarted exporter sends again what it had not committed); one with <i>from</i> &gt; T follows a gap of
 * <i>from</i> &minus; T ring bytes that will never come (an eviction, or a kill that lost what the dead
 * media driver had not yet delivered).
 */
public final class GatewayHeaderDescriptor {
    /** "RBG" and layout version 1, as a little-endian int32. */
    public static final int MAGIC = 0x01474252;
    public static final int MAGIC_OFFSET = 0;
    public static final int TYPE_OFFSET = 4;
    public static final int SOURCE_ID_OFFSET = 8;
    public static final int FROM_POSITION_OFFSET = 16;
    public static final int TO_POSITION_OFFSET = 24;
    /** Bytes before the payload. */
    public static final int HEADER_LENGTH = 32;
    /** Every field is little-endian, whatever the machine. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    private GatewayHeaderDescriptor() {
    }
}
