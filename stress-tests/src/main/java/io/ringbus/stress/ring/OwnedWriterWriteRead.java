package io.ringbus.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.ringbus.core.Result;
import io.ringbus.core.ring.internal.ClaimIntent;
import io.ringbus.core.ring.internal.RingSlots;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import java.lang.foreign.Arena;
import org.openjdk.jcstress.annotations.*;
import org.openjdk.jcstress.infra.results.LL_Result;

/**
 * The hot path of an open topic publisher: a single-producer writer with an owner id and a claim
 * intent (its claims carry claim markers) claims A, fills it and commits it with the release store of
 * {@link RingWriter#commitWhileOwned}, then B, while a reader polls once. The ring has been lapped
 * once before, so the bytes under A and B hold complete stale records of the earlier lap.
 *
 * <p>r1 is what the concurrent poll delivered; r2 is everything the reader got once the arbiter has
 * drained the ring, or the refusal if a claim failed (the ring has room for both, so none may).
 */
@JCStressTest
@Description("Owned single producer, release-store commit: the stamp publishes the payload, in order, once")
@Outcome(id = "none, A B", expect = ACCEPTABLE, desc = "The poll ran before A was committed.")
@Outcome(id = "A, A B", expect = ACCEPTABLE, desc = "The poll ran between the two commits.")
@Outcome(id = "A B, A B", expect = ACCEPTABLE, desc = "The poll ran after both commits.")
@Outcome(id = "B.*", expect = FORBIDDEN,
    desc = "B without A before it: records delivered out of position order, or A lost.")
@Outcome(id = ".*torn.*", expect = FORBIDDEN,
    desc = "Torn payload: the commit stamp became visible before the payload (no release/acquire pairing).")
@Outcome(id = ".*stale.*", expect = FORBIDDEN,
    desc = "Earlier lap's bytes delivered: the stamp was published before the payload, or accepted for another lap.")
@Outcome(id = ".*(A A|B B).*", expect = FORBIDDEN, desc = "A message delivered twice: the cursor went backwards.")
@Outcome(id = ".*refused.*", expect = FORBIDDEN,
    desc = "A claim was refused with the ring half empty: the producer limit ignores the reader's position.")
@Outcome(id = ".*corrupt.*", expect = FORBIDDEN,
    desc = "A header changed under the reader (CorruptRingException): a producer overwrote an unconsumed record.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: a record lost, a foreign value, padding delivered.")
@State
public class OwnedWriterWriteRead {
    private static final long A = 0x0A0A_0A0A_0A0A_0A0AL;
    private static final long B = 0x0B0B_0B0B_0B0B_0B0BL;
    private static final int OWNER = 3;

    private final RingWriter writer;
    private final RingReader reader;
    private final Recorder seen = new Recorder();
    private long first;
    private long second;

    public OwnedWriterWriteRead() {
        Ring ring = Rings.newRing(ProducerMode.SINGLE, 0);
        writer = RingSlots.newWriter(ring, OWNER, new ClaimIntent(Arena.ofAuto().allocate(16, 8), 0));
        Rings.prime(writer, 0, Rings.CAPACITY, Rings.PAYLOAD);
        reader = ring.newReader();
    }

    @Actor
    public void producer() {
        first = write(A);
        second = write(B);
    }

    private long write(long value) {
        long position = writer.tryClaim(Rings.TYPE, Rings.PAYLOAD);
        if (position >= 0) {
            Rings.fill(writer.buffer(), writer.payloadOffset(position), Rings.PAYLOAD, value);
            writer.commitWhileOwned(position);
        }
        return position;
    }

    @Actor
    public void consumer() {
        Rings.poll(reader, seen, 16);
    }

    @Arbiter
    public void arbiter(LL_Result r) {
        int concurrent = seen.count();
        Rings.drain(reader, seen);
        r.r1 = seen.describe(0, concurrent, OwnedWriterWriteRead::name);
        if (first < 0 || second < 0) {
            r.r2 = "refused " + Result.describe(first) + " " + Result.describe(second);
        } else {
            r.r2 = seen.describe(0, seen.count(), OwnedWriterWriteRead::name);
        }
    }

    private static String name(long value) {
        return value == A ? "A" : value == B ? "B" : null;
    }
}
