package io.ringbus.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import org.openjdk.jcstress.annotations.*;
import org.openjdk.jcstress.infra.results.LL_Result;

/**
 * A reader joins a many-producer ring while another producer's claim is still pending below the
 * tail. Set-up, on a ring lapped once with no reader: producer A claims 64 bytes at 1024 (tail
 * 1088); the reader joins and starts at 1088, above A's pending record; producer B's writer is
 * created (its cached limit is 1088 + capacity = 2112).
 *
 * <p>Actors: A fills its payload and commits; B writes s1..s16 at 1088..2048, the last one at offset
 * 0, on A's bytes. Nothing holds B back at A's record: the only cursor is the reader's, past it.
 * When A's payload stores and commit land after B's sixteenth record, they write into s16, which the
 * reader has not read: its stamp becomes A's (for 1024), so the reader waits at 2048 forever, or it
 * sees A's bytes inside s16.
 *
 * <p>The contract says a live reader loses nothing, and nothing bounds how long a claimer (a
 * preempted thread, a stopped process) may take between claim and commit; so a claim below every
 * cursor must hold producers back as a cursor would. The ring does this through its committed head
 * (see RingDescriptor): a reader joins at the first pending claim, not above it, so here the
 * reader starts at A's record, receives it first once A commits, and its cursor holds B back to
 * s1..s15 until it reads on.
 *
 * <p>r1: what the reader got (after the arbiter drained it): {@code in order} for s1..s16; r2: how
 * many of B's records were written.
 */
@JCStressTest
@Description("Reader joined above a pending claim: a late commit must not land in a record one lap later")
@Outcome(id = "in order, wrote 16", expect = ACCEPTABLE, desc = "A committed before B's write reached its bytes.")
@Outcome(id = "A first, in order, wrote 15", expect = ACCEPTABLE,
    desc = "The reader joined at A's pending claim: A delivered whole, first; its cursor held B at 15.")
@Outcome(id = "in order, wrote 15", expect = ACCEPTABLE,
    desc = "A's claim was still pending when B reached it: B was held back, everything B wrote arrived.")
@Outcome(id = "missing, .*", expect = FORBIDDEN,
    desc = "s16 never delivered: A's late commit stamped the pending position over s16; the reader is stuck.")
@Outcome(id = "(torn|pending).*", expect = FORBIDDEN,
    desc = "s16 delivered with A's payload in it: A's late payload stores landed in a record of the next lap.")
@Outcome(id = ".*corrupt.*", expect = FORBIDDEN,
    desc = "A header changed under the reader (CorruptRingException): a producer overwrote an unconsumed record.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: B refused, records lost, repeated or stale.")
@State
public class JoinPastPendingClaim {
    private static final long PENDING = 0x0A0A_0A0A_0A0A_0A0AL;
    private static final long BASE = 0x3000_3000_3000_3000L;
    private static final int MESSAGES = Rings.CAPACITY / Rings.RECORD;

    private final RingWriter claimer;
    private final RingWriter lapper;
    private final RingReader reader;
    private final long pending;
    private final Recorder seen = new Recorder();
    private int written;

    public JoinPastPendingClaim() {
        Ring ring = Rings.newRing(ProducerMode.MANY, 0);
        claimer = ring.newWriter();
        Rings.prime(claimer, 0, Rings.CAPACITY, Rings.PAYLOAD);
        pending = claimer.tryClaim(Rings.TYPE, Rings.PAYLOAD);
        reader = ring.newReader();
        lapper = ring.newWriter();
    }

    @Actor
    public void claimer() {
        Rings.fill(claimer.buffer(), claimer.payloadOffset(pending), Rings.PAYLOAD, PENDING);
        claimer.commit(pending);
    }

    @Actor
    public void lapper() {
        int n = 0;
        while (n < MESSAGES && Rings.write(lapper, Rings.PAYLOAD, BASE + n + 1) >= 0) {
            n++;
        }
        written = n;
    }

    @Arbiter
    public void arbiter(LL_Result r) {
        Rings.drain(reader, seen);
        long next = 1;
        String verdict = null;
        String prefix = "";
        int first = 0;
        if (seen.count() > 0 && seen.value(0) == PENDING) {
            prefix = "A first, ";
            first = 1;
        }
        for (int i = first; verdict == null && i < seen.count(); i++) {
            long value = seen.value(i);
            if (value == PENDING) {
                verdict = "pending";
            } else if (value == BASE + next) {
                next++;
            } else {
                String name = Rings.commonName(value);
                verdict = name != null ? name : "out of order";
            }
        }
        if (verdict == null) {
            verdict = next == written + 1 ? "in order" : "missing";
        }
        r.r1 = prefix + verdict;
        r.r2 = "wrote " + written;
    }
}
