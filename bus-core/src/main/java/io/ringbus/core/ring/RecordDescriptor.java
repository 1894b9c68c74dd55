package io.ringbus.core.ring;

/**
 * Layout of one record in the ring's data area.
 *
 * <pre>
 *   0                   4                   8                                  16
 *   +-------------------+-------------------+-----------------------------------+
 *   | length (int)      | type (int)        | commit stamp (long)               |
 *   +-------------------+-------------------+-----------------------------------+
 *   | payload: length bytes, then zero to 15 bytes of alignment ...             |
 *   +---------------------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li><b>length</b>: payload bytes, not counting this header or the alignment.</li>
 *   <li><b>type</b>: zero or more for a message (the publisher's type id); {@link #PADDING_TYPE} for
 *       the padding record at the wrap and for an aborted claim.</li>
 *   <li><b>commit stamp</b>: while the record is claimed but not committed it holds the claim marker,
 *       {@link #claimMarkerOf(long, int) claimMarkerOf(position, owner)}, naming the writer that owns
 *       the claim (so that a dead writer's claim can be attributed and turned into padding). The
 *       marker is stored right after the claim, before any payload byte; then, once the payload is
 *       complete, the commit stamp replaces it with release ordering. The stamp is
 *       {@link #stampOf(long) stampOf(position)}, unique to the record's 64-bit position, so a reader
 *       at position {@code p} can tell a record committed for {@code p} from bytes left by any earlier
 *       lap, and from zeroed memory. Readers never write the ring (there are many of them), so this
 *       stamp is what replaces the "zero after reading" of single-consumer rings.
 *       A writer that has an owner commits with a compare-and-set from its own claim marker, so
 *       that a commit and a recovery of the same claim cannot both take effect.</li>
 *   <li><b>recovered stamp</b>: {@link #recoveredStampOf(long) recoveredStampOf(position)} replaces
 *       the claim marker of a dead writer's claim in one compare-and-set ({@code ClaimRecovery}):
 *       the record is then padding of its header's length, whatever its type field says. One word
 *       decides between "committed by its owner" and "padded by recovery", so no reader ever sees one
 *       half of each.</li>
 * </ul>
 *
 * Records start on {@link #ALIGNMENT}-byte boundaries so that a padding header always fits in the
 * space left before the wrap.
 */
public final class RecordDescriptor {
    /** Bytes of record header before the payload. */
    public static final int HEADER_LENGTH = 16;
    /** Every record starts on a multiple of this, measured from the data area's start. */
    public static final int ALIGNMENT = 16;

    /** Offset of the payload length within a record. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of the type within a record. */
    public static final int TYPE_OFFSET = 4;
    /** Offset of the commit stamp within a record. */
    public static final int STAMP_OFFSET = 8;
    /**
     * Offset of the length and type read or written together as one long ({@link #headerWord},
     * {@link #lengthOf}, {@link #typeOf}): one segment access on the hot path instead of two.
     */
    public static final int HEADER_WORD_OFFSET = 0;

    /** Type of a padding record: at the wrap, or an aborted claim. Readers skip it. */
    public static final int PADDING_TYPE = -1;

    /** Owner id of writers that belong to no publisher slot (plain rings, benchmarks, tests). */
    public static final int NO_OWNER = Integer.MAX_VALUE;

    /** Low bits of {@code marker ^ stamp}: markers end in 0xD where stamps end in 0x5. */
    private static final long CLAIM_FLAG = 0x8L;

    /** Odd, so multiplying by it is a bijection; the 64-bit golden ratio scatters nearby positions. */
    private static final long STAMP_MULTIPLIER = 0x9E3779B97F4A7C15L;
    /** Low bits every stamp carries: a stamp is never zero, nor all ones. */
    private static final long STAMP_TAG = 0x5L;
    /** Low bits of {@code recovered ^ stamp}: recovered stamps end in 0x7. */
    private static final long RECOVERED_FLAG = 0x2L;

    private RecordDescriptor() {
    }

    /**
     * The commit stamp for a record at {@code position}. Distinct aligned positions below 2^63 give
     * distinct stamps (the multiplier is invertible modulo 2^60 and {@code position >>> 4} is below
     * 2^59), none of them zero, and scattered so that payload bytes of ordinary data do not look like
     * the stamp of a later record.
     */
    public static long stampOf(long position) {
        return (((position >>> 4) * STAMP_MULTIPLIER) << 4) | STAMP_TAG;
    }

    /**
     * The recovered stamp of a record at {@code position}: the record is padding put there by
     * recovery in place of a dead writer's claim. It never equals a commit stamp or a claim marker
     * (its low four bits differ from both).
     */
    public static long recoveredStampOf(long position) {
        return stampOf(position) ^ RECOVERED_FLAG;
    }

    /**
     * The claim marker of a record at {@code position} claimed by writer {@code ownerId} (zero or
     * more). It never equals any commit stamp (its low four bits differ) and encodes the owner.
     */
    public static long claimMarkerOf(long position, int ownerId) {
        return stampOf(position) ^ (((long) ownerId << 32) | CLAIM_FLAG);
    }

    /**
     * The owner named by a claim marker {@code field} found at {@code position}, or -1 when the field
     * is not a claim marker for that position.
     */
    public static int claimOwner(long field, long position) {
        long difference = field ^ stampOf(position);
        if ((difference & 0xFFFF_FFFFL) != CLAIM_FLAG || difference < 0) {
            return -1;
        }
        return (int) (difference >>> 32);
    }

    /** Where the length sits in a native-order long read at {@link #HEADER_WORD_OFFSET}. */
    private static final boolean LITTLE_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

    /** The long at {@link #HEADER_WORD_OFFSET} that holds {@code length} and {@code typeId}, in native order. */
    public static long headerWord(int length, int typeId) {
        long low = LITTLE_ENDIAN ? length : typeId;
        long high = LITTLE_ENDIAN ? typeId : length;
        return (high << 32) | (low & 0xFFFF_FFFFL);
    }

    /** The length field of a header word read at {@link #HEADER_WORD_OFFSET}. */
    public static int lengthOf(long headerWord) {
        return LITTLE_ENDIAN ? (int) headerWord : (int) (headerWord >>> 32);
    }

    /** The type field of a header word read at {@link #HEADER_WORD_OFFSET}. */
    public static int typeOf(long headerWord) {
        return LITTLE_ENDIAN ? (int) (headerWord >>> 32) : (int) headerWord;
    }

    /** Bytes a record with a payload of {@code length} takes in the ring, header and alignment included. */
    public static int recordLength(int length) {
        return align(HEADER_LENGTH + length);
    }

    /** {@code value} rounded up to a multiple of {@link #ALIGNMENT}. */
    public static int align(int value) {
        return (value + (ALIGNMENT - 1)) & -ALIGNMENT;
    }

    /** Whether a position is on a record boundary. */
    public static boolean isAligned(long position) {
        return (position & (ALIGNMENT - 1)) == 0;
    }
}
