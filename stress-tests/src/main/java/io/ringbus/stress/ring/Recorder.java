package io.ringbus.stress.ring;

import io.ringbus.core.ring.MessageHandler;
import java.lang.foreign.MemorySegment;
import java.util.function.LongFunction;

/**
 * A handler that keeps what each delivered message held ({@link Rings#classify}), in delivery order,
 * for an arbiter to judge after the actors are done. It allocates nothing while recording.
 */
final class Recorder implements MessageHandler {
    private static final int KEPT = 48;

    private final long[] values = new long[KEPT];
    private int count;

    @Override
    public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
        record(Rings.classify(typeId, buffer, offset, length));
    }

    /** Keeps one value, as if a message holding it had been delivered. */
    void record(long value) {
        if (count < KEPT) {
            values[count] = value;
        }
        count++;
    }

    /** Messages delivered so far. */
    int count() {
        return count;
    }

    /** Value of the {@code index}-th delivered message; {@link Rings#BAD_HEADER} past what is kept. */
    long value(int index) {
        return index >= 0 && index < KEPT && index < count ? values[index] : Rings.BAD_HEADER;
    }

    /**
     * Messages {@code [from, to)} as space-separated tokens named by {@code names} (falling back to
     * the shared names of {@link Rings#commonName}), or {@code "none"}.
     */
    String describe(int from, int to, LongFunction<String> names) {
        if (from >= to) {
            return "none";
        }
        StringBuilder text = new StringBuilder();
        for (int i = from; i < to; i++) {
            if (i > from) {
                text.append(' ');
            }
            if (i >= KEPT) {
                text.append("more");
                break;
            }
            String name = names.apply(values[i]);
            if (name == null) {
                name = Rings.commonName(values[i]);
            }
            text.append(name != null ? name : "0x" + Long.toHexString(values[i]));
        }
        return text.toString();
    }
}
