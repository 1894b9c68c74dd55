package io.ringbus.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import io.ringbus.core.ring.internal.RingSlots;
import org.openjdk.jcstress.annotations.*;
import org.openjdk.jcstress.infra.results.LLL_Result;

/**
 * A durable subscriber with explicit commits ({@code SubscriberConfig.explicitCommit}): its polls move
 * only its own position, and its cursor moves on {@code commit} alone. The ring steps are the ones
 * {@code ShmSubscriber} runs for it: {@link RingReader#deferCommits}, polls, {@link RingReader#commit},
 * {@code detach}; the successor of the same name {@link RingSlots#attach attaches}.
 *
 * <p>Set-up: a many-producer ring full of sixteen unread 64-byte records r0..r15 (tail 1024, the
 * durable cursor at 0). Actors: the durable subscriber polls r0, commits, polls r1 and goes away
 * without committing it (a crash between its output and its commit); the publisher offers N once,
 * which can land only on r0's bytes, once the commit freed them. The arbiter is the successor.
 *
 * <p>r1: what the durable subscriber's handler read; r2: whether the publisher's offer was accepted;
 * r3: what the successor got.
 */
@JCStressTest
@Description("Explicit commit: the cursor moves on commit only; the successor repeats what was delivered after it")
@Outcome(id = "r0 r1, refused, r1-r15", expect = ACCEPTABLE,
    desc = "The publisher checked before the commit: refused. The successor gets r1 again (uncommitted).")
@Outcome(id = "r0 r1, accepted, r1-r15 N", expect = ACCEPTABLE,
    desc = "The publisher saw the commit past r0 and wrote N on its bytes; the successor got r1..r15, then N.")
@Outcome(id = "(?!r0 r1,).*", expect = FORBIDDEN,
    desc = "The publisher overwrote r0 before it was committed (N or a torn payload in the handler).")
@Outcome(id = ".*, r2.*", expect = FORBIDDEN,
    desc = "Loss: the successor skipped r1, which was delivered but never committed (a poll stored the cursor).")
@Outcome(id = ".*, .*r0.*", expect = FORBIDDEN,
    desc = "Repeat: the successor got r0 again, which was committed (commit store lost).")
@Outcome(id = ".*, refused, .*N.*", expect = FORBIDDEN, desc = "N delivered although its offer was refused.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: damage, N lost after it was accepted, or delivered twice.")
@State
public class DurableExplicitCommit {
    private static final long FIRST = 0x2200_2200_2200_2200L;
    private static final long NEW = 0x4E4E_4E4E_4E4E_4E4EL;
    private static final int RECORDS = Rings.CAPACITY / Rings.RECORD;

    private final Ring ring;
    private final int slot;
    private final RingReader durable;
    private final RingWriter publisher;
    private final Recorder consumed = new Recorder();
    private long offered;

    public DurableExplicitCommit() {
        ring = Rings.newRing(ProducerMode.MANY, 0);
        slot = RingSlots.takeFreeSlot(ring);
        durable = RingSlots.join(ring, slot, false, false);
        durable.deferCommits();
        Durables.fill(ring, FIRST, RECORDS);
        publisher = RingSlots.newWriter(ring, 3, null);
    }

    @Actor
    public void durableSubscriber() {
        Rings.poll(durable, consumed, 1);
        durable.commit();
        Rings.poll(durable, consumed, 1);
        RingSlots.detach(durable);
    }

    @Actor
    public void publisher() {
        offered = Rings.write(publisher, Rings.PAYLOAD, NEW);
    }

    @Arbiter
    public void successor(LLL_Result r) {
        r.r1 = consumed.describe(0, consumed.count(), value -> Durables.name(value, FIRST, RECORDS, NEW));
        r.r2 = offered >= 0 ? "accepted" : "refused";
        r.r3 = Durables.resume(ring, slot, FIRST, RECORDS, NEW);
    }
}
