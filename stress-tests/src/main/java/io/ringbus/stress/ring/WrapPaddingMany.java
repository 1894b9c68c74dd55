package io.ringbus.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import org.openjdk.jcstress.annotations.*;
import org.openjdk.jcstress.infra.results.LLLLL_Result;

/**
 * Two producers with their own writers each commit a 64-byte message, P and Q, on a many-producer
 * ring whose tail is 96 bytes before the end of the data area: the first claim fits, the second is
 * a 32-byte padding record plus a record at offset 0. Each producer then polls its own reader. The
 * ring has been lapped with 32-byte stale records, so complete-looking old records lie under every
 * new one.
 *
 * <p>Results as in {@link PairCheck}; a claim that did not land at 1952 (first) or 2048 (second,
 * after the padding) is reported as {@code "refused"} in r1.
 */
@JCStressTest
@Description("Wrap with many producers: padding at the wrap is skipped, both records intact, in order")
@Outcome(id = "P low, (P|P Q), (none|P Q), P Q, P Q", expect = ACCEPTABLE,
    desc = "P fit before the end, Q wrapped: P's poll sees P (and Q if committed); Q's sees both or none.")
@Outcome(id = "Q low, (none|Q P), (Q|Q P), Q P, Q P", expect = ACCEPTABLE, desc = "The mirror image.")
@Outcome(id = ".*padding.*", expect = FORBIDDEN, desc = "The padding record was delivered as a message.")
@Outcome(id = ".*stale.*", expect = FORBIDDEN,
    desc = "Bytes of an earlier lap delivered: the stamp check trusted another position's record.")
@Outcome(id = ".*torn.*", expect = FORBIDDEN,
    desc = "Torn payload: the wrapped claim overlapped the other, or a stamp was visible before its payload.")
@Outcome(id = "P low(, [^,]*)*, Q[^,]*(, [^,]*)*|Q low(, [^,]*)*, P[^,]*(, [^,]*)*", expect = FORBIDDEN,
    desc = "The higher record delivered before the lower one.")
@Outcome(id = "refused.*", expect = FORBIDDEN,
    desc = "A claim refused, or not at 1952 / 2048: wrong wrap arithmetic under contention.")
@Outcome(id = ".*corrupt.*", expect = FORBIDDEN,
    desc = "A header changed under the reader (CorruptRingException): a producer overwrote an unconsumed record.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: a message lost or delivered twice.")
@State
public class WrapPaddingMany {
    /** Tail when the test starts: 96 bytes before the end of the data area, in the second lap. */
    private static final long START = 2L * Rings.CAPACITY - 96;
    /** Where the wrapped record lands: after 32 bytes of padding, at offset 0. */
    private static final long WRAPPED = 2L * Rings.CAPACITY;

    private final RingWriter writerP;
    private final RingWriter writerQ;
    private final RingReader readerP;
    private final RingReader readerQ;
    private final Recorder seenP = new Recorder();
    private final Recorder seenQ = new Recorder();
    private long positionP;
    private long positionQ;

    public WrapPaddingMany() {
        Ring ring = Rings.newRing(ProducerMode.MANY, 0);
        writerP = ring.newWriter();
        Rings.prime(writerP, 0, START, Rings.SMALL_PAYLOAD);
        readerP = ring.newReader();
        readerQ = ring.newReader();
        writerQ = ring.newWriter();
    }

    @Actor
    public void producerP() {
        positionP = Rings.write(writerP, Rings.PAYLOAD, PairCheck.P);
        Rings.poll(readerP, seenP, 16);
    }

    @Actor
    public void producerQ() {
        positionQ = Rings.write(writerQ, Rings.PAYLOAD, PairCheck.Q);
        Rings.poll(readerQ, seenQ, 16);
    }

    @Arbiter
    public void arbiter(LLLLL_Result r) {
        boolean placed = Math.min(positionP, positionQ) == START && Math.max(positionP, positionQ) == WRAPPED;
        PairCheck.judge(r, placed ? positionP : -1, placed ? positionQ : -1, readerP, seenP, readerQ, seenQ);
    }
}
