package io.ringbus.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import io.ringbus.core.ring.internal.ClaimRecovery;
import io.ringbus.core.ring.internal.RingSlots;
import org.openjdk.jcstress.annotations.*;
import org.openjdk.jcstress.infra.results.LLLL_Result;

/**
 * Liveness hand-over: a publisher's claimed record is turned into padding by recovery while the
 * publisher, stopped (not dead), resumes and commits it.
 *
 * <p><b>Where this race lives.</b> In the bus, recovery runs ({@code DeadClaims}, from a stuck
 * subscriber or a back-pressured publisher's {@code SlotSweeper}) only when the claim's owner looks
 * dead: its slot FREE, its generation replaced, or its slot lock free. A SIGSTOPped process keeps
 * its lock, so it is never recovered. The window opens only if that check is ever wrong (a stale
 * lock answer, a slot freed by {@code close()} from one thread while another thread of the same
 * publisher still holds a claim). What is left to prove, and what this test proves, is the
 * shared-memory step: {@link ClaimRecovery#padMarkedClaim} against the claimant's
 * {@link RingWriter#commit}, run with the production code on one record, decide one winner, and
 * every reader sees that winner's record, whole.
 *
 * <p>Set-up: a many-producer ring lapped once (stale records under every position); two readers
 * joined; the claimant (owner {@value #OWNER}) claimed a record at 1024 and wrote half its payload
 * before being stopped. Actors: the claimant writes the rest of its payload and commits; the
 * recoverer, a subscriber told the owner is dead, pads the claim and then polls. The arbiter
 * drains both readers after a new message N, which shows the ring is not wedged.
 *
 * <p>r1: whether recovery reported that it padded; r2: whether the commit reported that it
 * published (a commit refused because the claim was recovered); r3: what the recoverer's reader got,
 * its own poll and then the drain; r4: what a bystander reader got.
 */
@JCStressTest
@Description("Recovery of a claim racing its owner's late commit: one winner, no torn record, no wedge")
@Outcome(id = "kept, committed, L N, L N", expect = ACCEPTABLE,
    desc = "The commit came first: recovery found a committed record and left it; everyone got L.")
@Outcome(id = "padded, refused, N, N", expect = ACCEPTABLE,
    desc = "Recovery came first: the claim is padding, the late commit is refused; L is lost, as it must be for"
        + " an owner declared dead; everyone skips it alike.")
@Outcome(id = "kept, .*, N, N", expect = FORBIDDEN,
    desc = "Torn: recovery gave up (the commit won) but readers skip the record as padding; recovery's padding"
        + " type under the commit's stamp. The committed message vanished and nobody knows.")
@Outcome(id = "padded, .*L.*", expect = FORBIDDEN,
    desc = "Recovery padded the record, yet a reader got the message: both won.")
@Outcome(id = "padded, committed, .*", expect = FORBIDDEN,
    desc = "Both report success: the commit published over recovery's padding (or the reverse).")
@Outcome(id = "kept, refused, .*", expect = FORBIDDEN, desc = "Neither won: the record was refused and kept.")
@Outcome(id = ".*, (L N, N|N, L N)", expect = FORBIDDEN,
    desc = "One reader got the message and the other skipped the same bytes as padding.")
@Outcome(id = ".*(torn|stale|zero|badheader|corrupt).*", expect = FORBIDDEN,
    desc = "A torn, stale or impossible record delivered, or the header changed under a reader.")
@Outcome(id = ".*(none|wedged).*", expect = FORBIDDEN,
    desc = "Wedged: N, written after the race, never reached a reader (the claim was left neither committed"
        + " nor padded).")
@Outcome(expect = FORBIDDEN, desc = "Anything else: repeats, order, or unknown values.")
@State
public class LateCommitVersusRecovery {
    /** The claimant's owner id, as a publisher slot's would be. */
    static final int OWNER = 5;
    private static final long LATE = 0x1A7E_1A7E_1A7E_1A7EL;
    private static final long EARLY = 0x0E0E_0E0E_0E0E_0E0EL;
    private static final long NEXT = 0x4E4E_4E4E_4E4E_4E4EL;

    private final Ring ring;
    private final RingWriter claimant;
    private final RingReader recovererReader;
    private final RingReader bystander;
    private final long position;
    private final Recorder recovererSeen = new Recorder();
    private final Recorder bystanderSeen = new Recorder();
    private boolean padded;
    private boolean committed;

    public LateCommitVersusRecovery() {
        ring = Rings.newRing(ProducerMode.MANY, 0);
        claimant = RingSlots.newWriter(ring, OWNER, null);
        Rings.prime(claimant, 0, Rings.CAPACITY, Rings.PAYLOAD);
        recovererReader = ring.newReader();
        bystander = ring.newReader();
        position = claimant.tryClaim(Rings.TYPE, Rings.PAYLOAD);
        if (position != Rings.CAPACITY) {
            throw new IllegalStateException("claim at " + position);
        }
        Rings.fill(claimant.buffer(), claimant.payloadOffset(position), Rings.PAYLOAD / 2 & -8, EARLY);
    }

    @Actor
    public void lateClaimant() {
        Rings.fill(claimant.buffer(), claimant.payloadOffset(position), Rings.PAYLOAD, LATE);
        committed = claimant.commit(position);
    }

    @Actor
    public void recoverer() {
        padded = ClaimRecovery.padMarkedClaim(ring, position, OWNER);
        Rings.poll(recovererReader, recovererSeen, 4);
    }

    @Arbiter
    public void arbiter(LLLL_Result r) {
        r.r1 = padded ? "padded" : "kept";
        r.r2 = committed ? "committed" : "refused";
        if (Rings.write(ring.newWriter(), Rings.PAYLOAD, NEXT) < 0) {
            r.r3 = "refused N";
            return;
        }
        Rings.drain(recovererReader, recovererSeen);
        Rings.drain(bystander, bystanderSeen);
        r.r3 = recovererSeen.describe(0, recovererSeen.count(), LateCommitVersusRecovery::name);
        r.r4 = bystanderSeen.describe(0, bystanderSeen.count(), LateCommitVersusRecovery::name);
    }

    private static String name(long value) {
        if (value == LATE) {
            return "L";
        }
        return value == NEXT ? "N" : null;
    }
}
