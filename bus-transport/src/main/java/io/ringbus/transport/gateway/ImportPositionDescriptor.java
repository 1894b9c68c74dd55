package io.ringbus.transport.gateway;

import java.nio.ByteOrder;

/**
 * The file in which an importer keeps how far it got ({@code <bus dir>/.aeron-import-XXXXXXXX.position}, one per
 * route, see {@link ImportPosition}), little-endian, 40 bytes:
 *
 * <pre>
 *   0           4           8                     16                    24                    32                    40
 *   +-----------+-----------+---------------------+---------------------+---------------------+---------------------+
 *   | magic     | reserved  | source id           | last to             | pending from        | pending to          |
 *   +-----------+-----------+---------------------+---------------------+---------------------+---------------------+
 * </pre>
 *
 * <ul>
 *   <li><b>magic</b>: {@link #MAGIC}, "RBI" and the layout version 1; anything else is refused.</li>
 *   <li><b>source id</b>: the source topic the positions belong to (see {@link GatewayHeaderDescriptor}).</li>
 *   <li><b>last to</b>: the <i>to</i> position of the last message committed into the local topic, or -1.</li>
 *   <li><b>pending from / to</b>: the message being published: written before its commit, while <i>last
 *       to</i> is written after it. After a crash, pending to &gt; last to means the importer died between the
 *       two writes: the message may or may not be in the local topic, and its successor says so.</li>
 * </ul>
 *
 * <p>Plain stores in a shared mapping: they survive the process's death (a kill -9), not the machine's.
 */
public final class ImportPositionDescriptor {
    /** "RBI" and layout version 1, as a little-endian int32. */
    public static final int MAGIC = 0x01494252;
    public static final int MAGIC_OFFSET = 0;
    public static final int SOURCE_ID_OFFSET = 8;
    public static final int LAST_TO_OFFSET = 16;
    public static final int PENDING_FROM_OFFSET = 24;
    public static final int PENDING_TO_OFFSET = 32;
    /** The file's size. */
    public static final int LENGTH = 40;
    /** Every field is little-endian, whatever the machine. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    private ImportPositionDescriptor() {
    }
}
