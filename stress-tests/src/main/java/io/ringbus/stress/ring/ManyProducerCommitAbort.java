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
 * Two producers, each with its own writer, race for claims on a many-producer ring that was lapped
 * once before. One fills its record with C and commits; the other fills its record with X and
 * aborts. Each then polls a reader of its own (both joined before the claims), so every poll races
 * with the other producer's claim in flight; the arbiter drains both readers.
 *
 * <p>r1: whether C got the lower position; r2, r3: what the committer's and the aborter's polls
 * delivered; r4, r5: what their readers delivered in the end.
 */
@JCStressTest
@Description("Many producers: an aborted claim is never delivered, a committed one exactly once, in order")
@Outcome(id = "C low, C, (none|C), C, C", expect = ACCEPTABLE,
    desc = "C below X: the committer's own poll sees C; the aborter polled before or after C's commit.")
@Outcome(id = "C high, (none|C), (none|C), C, C", expect = ACCEPTABLE,
    desc = "X below C holds C back until it is aborted; either poll may run before that.")
@Outcome(id = ".*X.*", expect = FORBIDDEN,
    desc = "The aborted payload was delivered: abort does not make the record padding before its stamp.")
@Outcome(id = "C low, none, .*", expect = FORBIDDEN,
    desc = "The committer polled after its own commit, nothing was below C, yet C was not delivered.")
@Outcome(id = ".*torn.*", expect = FORBIDDEN,
    desc = "Torn payload: a stamp visible before its payload, or two claims overlapped (broken CAS claim).")
@Outcome(id = ".*stale.*", expect = FORBIDDEN,
    desc = "A record of the earlier lap delivered: the stamp does not identify the position.")
@Outcome(id = ".*C C.*", expect = FORBIDDEN, desc = "C delivered twice to one reader.")
@Outcome(id = "refused.*", expect = FORBIDDEN, desc = "A claim was refused with the ring nearly empty.")
@Outcome(id = ".*corrupt.*", expect = FORBIDDEN,
    desc = "A header changed under the reader (CorruptRingException): a producer overwrote an unconsumed record.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: C lost (held back forever by the aborted claim?).")
@State
public class ManyProducerCommitAbort {
    private static final long C = 0x0C0C_0C0C_0C0C_0C0CL;
    private static final long X = 0x0D0D_0D0D_0D0D_0D0DL;

    private final RingWriter committer;
    private final RingWriter aborter;
    private final RingReader committerReader;
    private final RingReader aborterReader;
    private final Recorder committerSeen = new Recorder();
    private final Recorder aborterSeen = new Recorder();
    private long committed;
    private long aborted;

    public ManyProducerCommitAbort() {
        Ring ring = Rings.newRing(ProducerMode.MANY, 0);
        committer = ring.newWriter();
        Rings.prime(committer, 0, Rings.CAPACITY, Rings.PAYLOAD);
        committerReader = ring.newReader();
        aborterReader = ring.newReader();
        aborter = ring.newWriter();
    }

    @Actor
    public void commitThenPoll() {
        committed = Rings.write(committer, Rings.PAYLOAD, C);
        Rings.poll(committerReader, committerSeen, 16);
    }

    @Actor
    public void abortThenPoll() {
        long position = aborter.tryClaim(Rings.TYPE, Rings.PAYLOAD);
        if (position >= 0) {
            Rings.fill(aborter.buffer(), aborter.payloadOffset(position), Rings.PAYLOAD, X);
            aborter.abort(position);
        }
        aborted = position;
        Rings.poll(aborterReader, aborterSeen, 16);
    }

    @Arbiter
    public void arbiter(LLLLL_Result r) {
        if (committed < 0 || aborted < 0) {
            r.r1 = "refused";
        } else {
            r.r1 = committed < aborted ? "C low" : "C high";
        }
        int concurrentCommitter = committerSeen.count();
        int concurrentAborter = aborterSeen.count();
        Rings.drain(committerReader, committerSeen);
        Rings.drain(aborterReader, aborterSeen);
        r.r2 = committerSeen.describe(0, concurrentCommitter, ManyProducerCommitAbort::name);
        r.r3 = aborterSeen.describe(0, concurrentAborter, ManyProducerCommitAbort::name);
        r.r4 = committerSeen.describe(0, committerSeen.count(), ManyProducerCommitAbort::name);
        r.r5 = aborterSeen.describe(0, aborterSeen.count(), ManyProducerCommitAbort::name);
    }

    private static String name(long value) {
        return value == C ? "C" : value == X ? "X" : null;
    }
}
