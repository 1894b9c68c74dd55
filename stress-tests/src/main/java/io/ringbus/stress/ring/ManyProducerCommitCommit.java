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
 * Two threads share one writer of a many-producer ring (lapped once before) and each commit a
 * message, P and Q, then poll a reader of their own. The claim order decides the delivery order:
 * the lower record holds the higher one back until it is committed.
 *
 * <p>Results as in {@link PairCheck}.
 */
@JCStressTest
@Description("Many producers sharing a writer: both commits delivered once each, in position order")
@Outcome(id = "P low, (P|P Q), (none|P Q), P Q, P Q", expect = ACCEPTABLE,
    desc = "P below Q: P's own poll sees P (and Q if committed); Q's sees both or, with P pending, none.")
@Outcome(id = "Q low, (none|Q P), (Q|Q P), Q P, Q P", expect = ACCEPTABLE,
    desc = "Q below P: the mirror image.")
@Outcome(id = "P low(, [^,]*)*, Q[^,]*(, [^,]*)*", expect = FORBIDDEN,
    desc = "Q delivered before P although P is below: a later commit overtook an earlier pending claim.")
@Outcome(id = "Q low(, [^,]*)*, P[^,]*(, [^,]*)*", expect = FORBIDDEN,
    desc = "P delivered before Q although Q is below: a later commit overtook an earlier pending claim.")
@Outcome(id = "P low, none, .*|Q low, [^,]*, none, .*", expect = FORBIDDEN,
    desc = "The lower record, committed by the polling thread itself, was not delivered to it.")
@Outcome(id = ".*torn.*", expect = FORBIDDEN,
    desc = "Torn payload: the claims overlapped, or a stamp was visible before its payload.")
@Outcome(id = ".*stale.*", expect = FORBIDDEN, desc = "A record of the earlier lap delivered.")
@Outcome(id = ".*(P P|Q Q).*", expect = FORBIDDEN, desc = "A message delivered twice to one reader.")
@Outcome(id = "refused.*", expect = FORBIDDEN, desc = "A claim was refused with the ring nearly empty.")
@Outcome(id = ".*corrupt.*", expect = FORBIDDEN,
    desc = "A header changed under the reader (CorruptRingException): a producer overwrote an unconsumed record.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: a message lost.")
@State
public class ManyProducerCommitCommit {
    private final RingWriter writer;
    private final RingReader readerP;
    private final RingReader readerQ;
    private final Recorder seenP = new Recorder();
    private final Recorder seenQ = new Recorder();
    private long positionP;
    private long positionQ;

    public ManyProducerCommitCommit() {
        Ring ring = Rings.newRing(ProducerMode.MANY, 0);
        writer = ring.newWriter();
        Rings.prime(writer, 0, Rings.CAPACITY, Rings.PAYLOAD);
        readerP = ring.newReader();
        readerQ = ring.newReader();
    }

    @Actor
    public void producerP() {
        positionP = Rings.write(writer, Rings.PAYLOAD, PairCheck.P);
        Rings.poll(readerP, seenP, 16);
    }

    @Actor
    public void producerQ() {
        positionQ = Rings.write(writer, Rings.PAYLOAD, PairCheck.Q);
        Rings.poll(readerQ, seenQ, 16);
    }

    @Arbiter
    public void arbiter(LLLLL_Result r) {
        PairCheck.judge(r, positionP, positionQ, readerP, seenP, readerQ, seenQ);
    }
}
