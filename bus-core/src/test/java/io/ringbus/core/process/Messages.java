package io.ringbus.core.process;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The test messages: a publisher id, a sequence number, the total length, filler bytes that are a
 * function of all three, and a 64-bit FNV-1a checksum of everything before it. A message torn by a
 * dying publisher, or bytes of an older record, fail {@link #verify}.
 *
 * <pre>
 *   0: publisher id (int) | 4: sequence (int) | 8: length (int) | 12: filler ... | length - 8: checksum (long)
 * </pre>
 */
final class Messages {
    /** Bytes of the smallest message (no filler beyond 4 bytes). */
    static final int MIN_LENGTH = 24;

    private Messages() {
    }

    /** The length of message {@code seq} of publisher {@code id}: 24 to 24 + spread - 1 bytes, varying. */
    static int lengthOf(int id, int seq, int spread) {
        return MIN_LENGTH + (spread <= 1 ? 0 : Math.floorMod(id * 13 + seq * 7, spread));
    }

    /** Encodes message {@code seq} of publisher {@code id}. */
    static byte[] encode(int id, int seq, int spread) {
        int length = lengthOf(id, seq, spread);
        byte[] bytes = new byte[length];
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(0, id).putInt(4, seq).putInt(8, length);
        for (int i = 12; i < length - 8; i++) {
            bytes[i] = filler(id, seq, i);
        }
        buffer.putLong(length - 8, checksum(bytes, length - 8));
        return bytes;
    }

    private static byte filler(int id, int seq, int index) {
        return (byte) (id * 31 + seq * 17 + index * 7 + (seq >>> 8));
    }

    static long checksum(byte[] bytes, int length) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < length; i++) {
            hash ^= bytes[i] & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /**
     * Checks a received payload.
     *
     * @return {@code "M id seq"} for a good message, or {@code "BAD ..."} saying what is wrong
     */
    static String verify(MemorySegment buffer, long offset, int length) {
        if (length < MIN_LENGTH) {
            return "BAD short length=" + length;
        }
        byte[] bytes = buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
        ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int id = view.getInt(0);
        int seq = view.getInt(4);
        int stated = view.getInt(8);
        if (stated != length) {
            return "BAD id=" + id + " seq=" + seq + " length=" + length + " stated=" + stated;
        }
        if (view.getLong(length - 8) != checksum(bytes, length - 8)) {
            return "BAD id=" + id + " seq=" + seq + " checksum";
        }
        for (int i = 12; i < length - 8; i++) {
            if (bytes[i] != filler(id, seq, i)) {
                return "BAD id=" + id + " seq=" + seq + " filler at " + i;
            }
        }
        return "M " + id + " " + seq;
    }
}
