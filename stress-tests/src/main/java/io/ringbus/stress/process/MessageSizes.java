package io.ringbus.stress.process;

import java.util.SplittableRandom;

/**
 * Message lengths: one fixed length, or a random mix from {@link StressMessage#HEADER_LENGTH} up to
 * the topic's maximum, log-uniform (as many messages under 100 bytes as between 1 and 8 KiB), so that
 * small records, maximum-size records and wraps at every offset all occur.
 *
 * @param fixed the fixed length, or 0 for the random mix
 * @param max the largest length
 */
record MessageSizes(int fixed, int max) {
    /** Text form: {@code random} or a number of bytes. */
    static MessageSizes parse(String text, int max) {
        if (text.equals("random")) {
            return new MessageSizes(0, max);
        }
        int length;
        try {
            length = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("message size '" + text + "' must be 'random' or a number of bytes");
        }
        if (length < StressMessage.HEADER_LENGTH || length > max) {
            throw new IllegalArgumentException("message size " + length + " must be between "
                + StressMessage.HEADER_LENGTH + " and the maximum message length, " + max);
        }
        return new MessageSizes(length, max);
    }

    /** The next length. */
    int next(SplittableRandom random) {
        if (fixed > 0) {
            return fixed;
        }
        double low = Math.log(StressMessage.HEADER_LENGTH);
        double high = Math.log(max + 1.0);
        return (int) Math.min(max, Math.exp(low + random.nextDouble() * (high - low)));
    }

    @Override
    public String toString() {
        return fixed > 0 ? fixed + " bytes" : "random " + StressMessage.HEADER_LENGTH + ".." + max + " bytes";
    }
}
