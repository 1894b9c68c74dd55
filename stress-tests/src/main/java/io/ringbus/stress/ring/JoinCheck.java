package io.ringbus.stress.ring;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import org.openjdk.jcstress.infra.results.LLL_Result;

/**
 * The shared body of the reader-join tests: a producer writes up to {@link #MESSAGES} 64-byte
 * messages s1, s2, ... (stopping at the first refusal) on a ring lapped once before with no reader,
 * while another thread joins with {@code ring.newReader()} and polls. The producer's cached limit
 * ends exactly at the tail, so its first offer rescans the cursors, racing with the join.
 *
 * <p>The joined reader must deliver exactly the messages at and after its start position, in order,
 * intact: {@code s(k+1) .. s(n)} where {@code k} messages were claimed before it started and
 * {@code n} were written. The producer may be held back only by the joined reader (a provisional
 * cursor counts), so it writes at least sixteen, one ring's worth, before any refusal.
 *
 * <p>Result: r1 when the reader started ({@code before} any message, {@code during}, or
 * {@code after} the last); r2 {@code all 20}, {@code held back} (refused after at least sixteen) or
 * {@code held early}; r3 the verdict, {@code in order} or what went wrong first.
 */
final class JoinCheck {
    /** Messages the producer tries to write: more than a ring's worth, so the join can hold it back. */
    static final int MESSAGES = 20;
    private static final long BASE = 0x3000_3000_3000_3000L;
    private static final long START = Rings.CAPACITY;

    private final Ring ring;
    private final RingWriter writer;
    private final Recorder seen = new Recorder();
    private RingReader reader;
    private long start;
    private int written;

    JoinCheck(ProducerMode mode) {
        ring = Rings.newRing(mode, 0);
        writer = ring.newWriter();
        Rings.prime(writer, 0, START, Rings.PAYLOAD);
    }

    void produce() {
        int n = 0;
        while (n < MESSAGES && Rings.write(writer, Rings.PAYLOAD, BASE + n + 1) >= 0) {
            n++;
        }
        written = n;
    }

    void join() {
        RingReader joined = ring.newReader();
        start = joined.position();
        Rings.poll(joined, seen, 2 * MESSAGES);
        reader = joined;
    }

    void judge(LLL_Result r) {
        Rings.drain(reader, seen);
        long skipped = (start - START) / Rings.RECORD;
        if (start < START || (start - START) % Rings.RECORD != 0 || skipped > written) {
            r.r1 = "start " + start;
        } else {
            r.r1 = skipped == 0 ? "before" : skipped == written ? "after" : "during";
        }
        r.r2 = written == MESSAGES ? "all 20" : written >= Rings.CAPACITY / Rings.RECORD ? "held back" : "held early";
        r.r3 = verdict((int) skipped);
    }

    private String verdict(int skipped) {
        long next = skipped + 1;
        for (int i = 0; i < seen.count(); i++) {
            long value = seen.value(i);
            long index = value - BASE;
            if (index < 1 || index > MESSAGES) {
                String name = Rings.commonName(value);
                return name != null ? name : "foreign";
            } else if (index <= skipped) {
                return "before start";
            } else if (index < next) {
                return "duplicate";
            } else if (index > next) {
                return "gap";
            }
            next++;
        }
        return next == written + 1 ? "in order" : "missing";
    }
}
