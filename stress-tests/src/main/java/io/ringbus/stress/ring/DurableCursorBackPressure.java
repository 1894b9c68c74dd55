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
 * A durable subscriber's cursor store races a publisher's back-pressure check, and its successor
 * resumes where the cursor says. The ring steps are the ones {@code ShmSubscriber} runs for a
 * durable subscriber: a poll of one message at a time (the cursor is stored after each handler
 * returns), {@code detach} when it goes away (the slot stays ACTIVE and keeps holding publishers
 * back), and {@link RingSlots#attach} for the successor of the same name.
 *
 * <p>Set-up: a many-producer ring full of sixteen unread 64-byte records r0..r15 (tail 1024, the
 * durable cursor at 0); the publisher's writer was created on the full ring, so its offer must
 * rescan the cursors. Actors: the durable subscriber consumes one message (its handler reads the
 * payload in place, in the ring) and goes away; the publisher offers N once, which lands on r0's
 * bytes. The arbiter is the successor: it attaches to the slot and drains.
 *
 * <p>r1: what the durable subscriber's handler read; r2: whether the publisher's offer was accepted;
 * r3: what the successor got.
 */
@JCStressTest
@Description("Durable cursor versus back-pressure: no overwrite before consumption; the successor resumes exactly")
@Outcome(id = "r0, refused, r1-r15", expect = ACCEPTABLE,
    desc = "The publisher checked before the cursor moved: refused. The successor resumed at r1.")
@Outcome(id = "r0, accepted, r1-r15 N", expect = ACCEPTABLE,
    desc = "The publisher saw the cursor past r0 and wrote N on its bytes; the successor got r1..r15, then N.")
@Outcome(id = "(?!r0,).*", expect = FORBIDDEN,
    desc = "The publisher overwrote r0 while the durable subscriber was still reading it (N or a torn payload"
        + " in the handler): the cursor moved before the message was consumed.")
@Outcome(id = ".*, .*r0.*", expect = FORBIDDEN,
    desc = "Repeat: the successor got r0 again, which its predecessor had consumed (cursor store lost).")
@Outcome(id = ".*, (?!r1-r15).*", expect = FORBIDDEN,
    desc = "Loss or damage: the successor did not resume at r1 with r1..r15 intact and in order.")
@Outcome(id = ".*, refused, .*N.*", expect = FORBIDDEN, desc = "N delivered although its offer was refused.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: N lost after it was accepted, or delivered twice.")
@State
public class DurableCursorBackPressure {
    private static final long FIRST = 0x2100_2100_2100_2100L;
    private static final long NEW = 0x4E4E_4E4E_4E4E_4E4EL;
    private static final int RECORDS = Rings.CAPACITY / Rings.RECORD;

    private final Ring ring;
    private final int slot;
    private final RingReader durable;
    private final RingWriter publisher;
    private final Recorder consumed = new Recorder();
    private long offered;

    public DurableCursorBackPressure() {
        ring = Rings.newRing(ProducerMode.MANY, 0);
        slot = RingSlots.takeFreeSlot(ring);
        durable = RingSlots.join(ring, slot, false, false);
        Durables.fill(ring, FIRST, RECORDS);
        publisher = RingSlots.newWriter(ring, 3, null);
    }

    @Actor
    public void durableSubscriber() {
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
