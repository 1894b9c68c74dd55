package io.ringbus.stress.ring;

import io.ringbus.core.CorruptRingException;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import io.ringbus.core.ring.internal.RingSlots;

/** What the durable-cursor stress tests share: a full ring of numbered records and a successor's view. */
final class Durables {
    private Durables() {
    }

    /** Writes {@code count} records whose payloads are {@code first}, {@code first + 1}, ...; all must fit. */
    static void fill(Ring ring, long first, int count) {
        RingWriter filler = ring.newWriter();
        for (int i = 0; i < count; i++) {
            if (Rings.write(filler, Rings.PAYLOAD, first + i) < 0) {
                throw new IllegalStateException("fill refused at " + i);
            }
        }
    }

    /** {@code r<i>} for the i-th numbered record, {@code N} for {@code extra}, else null. */
    static String name(long value, long first, int count, long extra) {
        if (value == extra) {
            return "N";
        }
        long index = value - first;
        return index >= 0 && index < count ? "r" + index : null;
    }

    /**
     * Attaches a successor to durable slot {@code slot} and drains it: "rA-rB" for a run of consecutive
     * numbered records from A to B, then anything else as its own token ("N", "torn", ...).
     */
    static String resume(Ring ring, int slot, long first, int count, long extra) {
        Recorder seen = new Recorder();
        try {
            RingReader successor = RingSlots.attach(ring, slot, false);
            Rings.drain(successor, seen);
        } catch (CorruptRingException e) {
            return "attach failed";
        }
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < seen.count()) {
            if (text.length() > 0) {
                text.append(' ');
            }
            long index = seen.value(i) - first;
            if (index >= 0 && index < count) {
                int j = i;
                while (j + 1 < seen.count() && seen.value(j + 1) == seen.value(j) + 1) {
                    j++;
                }
                text.append('r').append(index);
                if (j > i) {
                    text.append("-r").append(seen.value(j) - first);
                }
                i = j + 1;
            } else {
                text.append(seen.describe(i, i + 1, value -> name(value, first, count, extra)));
                i++;
            }
        }
        return text.length() == 0 ? "none" : text.toString();
    }
}
