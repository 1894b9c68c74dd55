package io.ringbus.core;

/**
 * Result codes of {@code offer} and {@code tryClaim}: a position (zero or more) on success, or one of
 * these negative codes. Flow control never throws; these codes are how a publisher learns to retry,
 * back off or give up.
 */
public final class Result {
    /** No subscriber is connected (stream paths), or the peer went away. Retry later. */
    public static final long NOT_CONNECTED = -1;
    /** The slowest live tethered subscriber is a whole ring behind. Retry after an idle step. */
    public static final long BACK_PRESSURED = -2;
    /** Another publisher won the race for the claim; retry at once. */
    public static final long ADMIN_ACTION = -3;
    /** The publisher or its topic is closed. Do not retry. */
    public static final long CLOSED = -4;
    /** The 64-bit position would overflow. The topic must be recreated. */
    public static final long MAX_POSITION_EXCEEDED = -5;
    /**
     * A batch of messages offered in one claim takes more ring bytes (headers and alignment included)
     * than the largest single message's record: it can never be claimed at once. Nothing was written;
     * split the batch.
     */
    public static final long TOO_LARGE = -6;

    private Result() {
    }

    /** Whether a result is a position rather than a code. */
    public static boolean isPosition(long result) {
        return result >= 0;
    }

    /** A name for a result, for logs and error messages. */
    public static String describe(long result) {
        if (result >= 0) {
            return "position " + result;
        }
        return switch ((int) result) {
            case (int) NOT_CONNECTED -> "NOT_CONNECTED";
            case (int) BACK_PRESSURED -> "BACK_PRESSURED";
            case (int) ADMIN_ACTION -> "ADMIN_ACTION";
            case (int) CLOSED -> "CLOSED";
            case (int) MAX_POSITION_EXCEEDED -> "MAX_POSITION_EXCEEDED";
            case (int) TOO_LARGE -> "TOO_LARGE";
            default -> "UNKNOWN(" + result + ")";
        };
    }
}
