package io.ringbus.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.ringbus.core.CorruptRingException;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import io.ringbus.core.ring.internal.RingSlots;
import org.openjdk.jcstress.annotations.*;
import org.openjdk.jcstress.infra.results.LLL_Result;

/**
 * A successor joins under a durable name while a publisher is back-pressured by that name's
 * cursor. The predecessor consumed r0 of a full ring r0..r15 (one message per poll, as
 * {@code ShmSubscriber} does for durable subscribers) and went away ({@code detach}: its slot stays
 * ACTIVE at position 64). The publisher's writer was created on the full ring, before that.
 *
 * <p>Actors: the successor attaches to the slot ({@link RingSlots#attach}, as {@code ShmSubscriber}
 * resumes an ACTIVE durable slot) and polls two messages, one at a time; the publisher offers N1
 * (room for it: r0 was consumed) and then N2, which lands on r1's bytes and fits only once the
 * successor has consumed r1. The arbiter drains the successor.
 *
 * <p>r1: what the successor's two polls got; r2: how many of N1, N2 the publisher wrote; r3: the rest.
 * Resuming must neither repeat r0 nor skip r1, and at no moment may the slot's position let the
 * publisher past r1 before the successor has read it (a resume that re-publishes its cursor, as a
 * fresh join does with its provisional position, would).
 */
@JCStressTest
@Description("Durable successor resumes while a publisher is held back by its cursor: no repeat, no loss")
@Outcome(id = "r1 r2, wrote 1, r3-r15 N1", expect = ACCEPTABLE,
    desc = "Resumed at r1; N2 was refused: the publisher rescanned before the successor moved past r1.")
@Outcome(id = "r1 r2, wrote 2, r3-r15 N1 N2", expect = ACCEPTABLE,
    desc = "Resumed at r1; N2 was written on r1's bytes after the successor had consumed r1.")
@Outcome(id = ".*r0.*", expect = FORBIDDEN, desc = "Repeat: r0, consumed by the predecessor, delivered again.")
@Outcome(id = "(?!r1 ).*", expect = FORBIDDEN,
    desc = "The successor did not resume at r1 intact (a loss, an overwritten or torn r1, an attach failure).")
@Outcome(id = ".*, wrote 0, .*", expect = FORBIDDEN,
    desc = "N1 refused although r0 had been consumed before the race: the limit rescan missed the cursor.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: N1 or N2 lost, repeated, or N2 counted but not delivered.")
@State
public class DurableSuccessorResume {
    private static final long FIRST = 0x2200_2200_2200_2200L;
    private static final long N1 = 0x4E01_4E01_4E01_4E01L;
    private static final long N2 = 0x4E02_4E02_4E02_4E02L;
    private static final int RECORDS = Rings.CAPACITY / Rings.RECORD;

    private final Ring ring;
    private final int slot;
    private final RingWriter publisher;
    private final Recorder seen = new Recorder();
    private RingReader successor;
    private int written;

    public DurableSuccessorResume() {
        ring = Rings.newRing(ProducerMode.MANY, 0);
        slot = RingSlots.takeFreeSlot(ring);
        RingReader predecessor = RingSlots.join(ring, slot, false, false);
        Durables.fill(ring, FIRST, RECORDS);
        publisher = RingSlots.newWriter(ring, 3, null);
        if (predecessor.poll((type, buffer, offset, length) -> { }, 1) != 1) {
            throw new IllegalStateException("predecessor did not consume r0");
        }
        RingSlots.detach(predecessor);
    }

    @Actor
    public void successor() {
        try {
            successor = RingSlots.attach(ring, slot, false);
        } catch (CorruptRingException e) {
            seen.record(Rings.CORRUPT);
            return;
        }
        Rings.poll(successor, seen, 1);
        Rings.poll(successor, seen, 1);
    }

    @Actor
    public void publisher() {
        if (Rings.write(publisher, Rings.PAYLOAD, N1) >= 0) {
            written = Rings.write(publisher, Rings.PAYLOAD, N2) >= 0 ? 2 : 1;
        }
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        int concurrent = seen.count();
        r.r1 = seen.describe(0, concurrent, this::name);
        r.r2 = "wrote " + written;
        if (successor != null) {
            Rings.drain(successor, seen);
        }
        String rest = seen.describe(concurrent, seen.count(), this::name);
        r.r3 = rest.replace("r3 r4 r5 r6 r7 r8 r9 r10 r11 r12 r13 r14 r15", "r3-r15");
    }

    private String name(long value) {
        if (value == N1) {
            return "N1";
        }
        if (value == N2) {
            return "N2";
        }
        return Durables.name(value, FIRST, RECORDS, Long.MIN_VALUE);
    }
}
