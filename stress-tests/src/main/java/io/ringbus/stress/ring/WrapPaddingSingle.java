package io.ringbus.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.ringbus.core.Result;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import org.openjdk.jcstress.annotations.*;
import org.openjdk.jcstress.infra.results.LLL_Result;

/**
 * A single producer offers A, a 64-byte record, with 32 bytes left before the end of the data area:
 * the claim is a 32-byte padding record at position 2016 and A at 2048, offset 0. A reader polls
 * concurrently. The ring has been lapped twice with 32-byte stale records, so both the padding's
 * place and A's place hold complete-looking records of earlier positions (992, 1024 and 1056).
 *
 * <p>r1: what the concurrent poll delivered; r2: how far that poll moved the reader; r3: everything
 * delivered once the arbiter drained the ring (or the offer's result, if it was not A at 2048).
 */
@JCStressTest
@Description("Wrap: the padding record is skipped, the wrapped record is intact, no earlier lap shows through")
@Outcome(id = "none, moved 0, A", expect = ACCEPTABLE, desc = "The poll ran before the padding was published.")
@Outcome(id = "none, moved 32, A", expect = ACCEPTABLE,
    desc = "The poll skipped the published padding and waited at A, not yet committed.")
@Outcome(id = "A, moved 96, A", expect = ACCEPTABLE, desc = "The poll ran after A's commit.")
@Outcome(id = ".*padding.*", expect = FORBIDDEN, desc = "The padding record was delivered as a message.")
@Outcome(id = ".*stale.*", expect = FORBIDDEN,
    desc = "Bytes of an earlier lap delivered as a record: the stamp check trusted another position's record.")
@Outcome(id = ".*torn.*", expect = FORBIDDEN, desc = "A delivered before its payload was complete.")
@Outcome(id = "none, moved 96, .*", expect = FORBIDDEN, desc = "The reader moved past A without delivering it.")
@Outcome(id = ".*, .*, (refused|at).*", expect = FORBIDDEN,
    desc = "The offer was refused or did not land after the padding at 2048: wrong wrap arithmetic.")
@Outcome(id = ".*corrupt.*", expect = FORBIDDEN,
    desc = "A header changed under the reader (CorruptRingException): a producer overwrote an unconsumed record.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: A lost or delivered twice, a foreign value.")
@State
public class WrapPaddingSingle {
    private static final long A = 0x0A0A_0A0A_0A0A_0A0AL;
    private static final byte[] A_BYTES = Rings.bytes(A, Rings.PAYLOAD);
    /** Tail when the test starts: 32 bytes before the end of the data area, in the third lap. */
    private static final long START = 2L * Rings.CAPACITY - 32;

    private final RingWriter writer;
    private final RingReader reader;
    private final Recorder seen = new Recorder();
    private long offered;
    private long moved;

    public WrapPaddingSingle() {
        Ring ring = Rings.newRing(ProducerMode.SINGLE, 0);
        writer = ring.newWriter();
        Rings.prime(writer, 0, START, Rings.SMALL_PAYLOAD);
        reader = ring.newReader();
    }

    @Actor
    public void producer() {
        offered = writer.offer(Rings.TYPE, A_BYTES, 0, Rings.PAYLOAD);
    }

    @Actor
    public void consumer() {
        Rings.poll(reader, seen, 16);
        moved = reader.position() - START;
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        int concurrent = seen.count();
        Rings.drain(reader, seen);
        r.r1 = seen.describe(0, concurrent, WrapPaddingSingle::name);
        r.r2 = "moved " + moved;
        if (offered < 0) {
            r.r3 = "refused " + Result.describe(offered);
        } else if (offered != START + 32) {
            r.r3 = "at " + offered;
        } else {
            r.r3 = seen.describe(0, seen.count(), WrapPaddingSingle::name);
        }
    }

    private static String name(long value) {
        return value == A ? "A" : null;
    }
}
