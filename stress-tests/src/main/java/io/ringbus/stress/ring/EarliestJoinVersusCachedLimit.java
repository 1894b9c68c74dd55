package io.ringbus.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import io.ringbus.core.ring.internal.RingSlots;
import org.openjdk.jcstress.annotations.*;
import org.openjdk.jcstress.infra.results.LL_Result;

/**
 * A tethered reader joins at {@code earliest} while a producer writes on a limit it cached before the
 * reader's cursor existed: the outside tester's hang (a subscriber joining at earliest during
 * full-speed publishing, overtaken, and producers and reader stuck for good).
 *
 * <p>Set-up, no reader: records 1..17 written (64 bytes each) on a 1024-byte ring, so the ring holds
 * 2..17 and the producer has just refreshed its limit with no cursor to hold it (its cache now lets
 * it write well past the oldest records without looking at cursors again).
 *
 * <p>Actors: the joiner joins at earliest and polls; the producer writes 18, 19, ... until refused.
 * Whatever the interleaving, the reader must receive one unbroken run of records that ends with the
 * last one written: it may start later than record 2 (records a producer was already entitled to
 * overwrite are not promised), but it must never stop short, skip, or see a torn record.
 *
 * <p>r1: what the reader got (after the arbiter drained it); r2: how many records the producer wrote.
 */
@JCStressTest
@Description("Earliest join against a producer's cached limit: one unbroken run to the last record written")
@Outcome(id = "whole, .*", expect = ACCEPTABLE,
    desc = "An unbroken run of records ending with the last one written.")
@Outcome(id = "missing, .*", expect = FORBIDDEN,
    desc = "The run stops before the last record written: the reader was overtaken and is stuck (the hang).")
@Outcome(id = "(gap|duplicate|out of order), .*", expect = FORBIDDEN,
    desc = "Records skipped or repeated inside the run.")
@Outcome(id = "(stale|torn|zero|padding|badheader|corrupt|none), .*", expect = FORBIDDEN,
    desc = "An overwritten or half-written record delivered, a corrupt-ring error, or nothing at all.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class EarliestJoinVersusCachedLimit {
    private static final long BASE = 0x4000_4000_4000_4000L;
    private static final int PRIMED = Rings.CAPACITY / Rings.RECORD + 1;
    private static final int MORE = Rings.CAPACITY / Rings.RECORD;

    private final Ring ring;
    private final RingWriter writer;
    private final Recorder seen = new Recorder();
    private RingReader reader;
    private int written;

    public EarliestJoinVersusCachedLimit() {
        ring = Rings.newRing(ProducerMode.SINGLE, 0);
        writer = ring.newWriter();
        for (int n = 1; n <= PRIMED; n++) {
            if (Rings.write(writer, Rings.PAYLOAD, BASE + n) < 0) {
                throw new IllegalStateException("priming record " + n + " refused");
            }
        }
    }

    @Actor
    public void joiner() {
        reader = RingSlots.join(ring, RingSlots.takeFreeSlot(ring), true, false);
        for (int i = 0; i < 4; i++) {
            Rings.poll(reader, seen, Integer.MAX_VALUE);
        }
    }

    @Actor
    public void producer() {
        int n = 0;
        while (n < MORE && Rings.write(writer, Rings.PAYLOAD, BASE + PRIMED + n + 1) >= 0) {
            n++;
        }
        written = n;
    }

    @Arbiter
    public void arbiter(LL_Result r) {
        Rings.drain(reader, seen);
        long last = BASE + PRIMED + written;
        String verdict = null;
        if (seen.count() == 0) {
            verdict = "none";
        }
        for (int i = 0; verdict == null && i < seen.count(); i++) {
            long value = seen.value(i);
            String name = Rings.commonName(value);
            if (name != null) {
                verdict = name;
            } else if (value < BASE + 2 || value > last) {
                verdict = "out of order";
            } else if (i > 0 && value != seen.value(i - 1) + 1) {
                verdict = value <= seen.value(i - 1) ? "duplicate" : "gap";
            }
        }
        if (verdict == null) {
            verdict = seen.value(seen.count() - 1) == last ? "whole" : "missing";
        }
        r.r1 = verdict;
        r.r2 = "wrote " + written;
    }
}
