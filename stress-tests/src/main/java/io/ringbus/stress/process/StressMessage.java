package io.ringbus.stress.process;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Layout of a stress message, and its check. Little-endian; the CRC32C covers every byte of the
 * message but its own field, so a torn message (half of it from an older record, or cut short) fails.
 *
 * <pre>
 *   0            4            8                        16
 *   +------------+------------+------------------------+-----------------------------+
 *   | publisher  | CRC32C     | sequence (long,        | payload: length - 16 bytes  |
 *   | id (int)   | (int)      | from 0 per publisher)  | of random bytes             |
 *   +------------+------------+------------------------+-----------------------------+
 * </pre>
 *
 * <p>Publisher ids name one publisher <em>process</em> (an incarnation): a restarted publisher gets a
 * new id and counts from 0 again, so a subscriber's view of each id is one gap-free sequence.
 */
final class StressMessage {
    static final int ID_OFFSET = 0;
    static final int CRC_OFFSET = 4;
    static final int SEQUENCE_OFFSET = 8;
    /** Bytes before the payload; also the shortest message. */
    static final int HEADER_LENGTH = 16;

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class,
        ByteOrder.LITTLE_ENDIAN);

    private StressMessage() {
    }

    /**
     * Writes message {@code sequence} of publisher {@code id}, {@code length} bytes, into {@code into}:
     * the payload is {@code pool} from {@code poolOffset}.
     */
    static void encode(byte[] into, int id, long sequence, int length, byte[] pool, int poolOffset, CRC32C crc) {
        INT.set(into, ID_OFFSET, id);
        LONG.set(into, SEQUENCE_OFFSET, sequence);
        System.arraycopy(pool, poolOffset, into, HEADER_LENGTH, length - HEADER_LENGTH);
        INT.set(into, CRC_OFFSET, crcOf(into, length, crc));
    }

    /** The CRC32C of a message of {@code length} bytes, skipping its CRC field. */
    static int crcOf(byte[] message, int length, CRC32C crc) {
        crc.reset();
        crc.update(message, 0, CRC_OFFSET);
        crc.update(message, SEQUENCE_OFFSET, length - SEQUENCE_OFFSET);
        return (int) crc.getValue();
    }

    /** Whether a received message of {@code length} bytes is whole: long enough, and its CRC matches. */
    static boolean intact(byte[] message, int length, CRC32C crc) {
        return length >= HEADER_LENGTH && length <= message.length
            && (int) INT.get(message, CRC_OFFSET) == crcOf(message, length, crc);
    }

    static int id(byte[] message) {
        return (int) INT.get(message, ID_OFFSET);
    }

    static long sequence(byte[] message) {
        return (long) LONG.get(message, SEQUENCE_OFFSET);
    }
}
