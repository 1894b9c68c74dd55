package io.ringbus.stress.ring;

import io.ringbus.core.ring.RingReader;
import org.openjdk.jcstress.infra.results.LLLLL_Result;

/**
 * The arbiter of the two-producer tests: producer P and producer Q each write one message (values
 * {@link #P} and {@link #Q}) and then poll a reader of their own. Both readers joined before either
 * claim, so each must get both messages exactly once, lower position first.
 *
 * <p>Result: r1 which producer got the lower position ({@code "P low"}, {@code "Q low"}, or
 * {@code "refused"}), r2 and r3 what P's and Q's polls delivered while the other producer was still
 * running, r4 and r5 what P's and Q's readers delivered in the end.
 */
final class PairCheck {
    /** Payload value of producer P. */
    static final long P = 0x0E0E_0E0E_0E0E_0E0EL;
    /** Payload value of producer Q. */
    static final long Q = 0x0F0F_0F0F_0F0F_0F0FL;

    private PairCheck() {
    }

    static void judge(LLLLL_Result r, long positionP, long positionQ, RingReader readerP, Recorder seenP,
                      RingReader readerQ, Recorder seenQ) {
        if (positionP < 0 || positionQ < 0) {
            r.r1 = "refused";
        } else {
            r.r1 = positionP < positionQ ? "P low" : "Q low";
        }
        int concurrentP = seenP.count();
        int concurrentQ = seenQ.count();
        Rings.drain(readerP, seenP);
        Rings.drain(readerQ, seenQ);
        r.r2 = seenP.describe(0, concurrentP, PairCheck::name);
        r.r3 = seenQ.describe(0, concurrentQ, PairCheck::name);
        r.r4 = seenP.describe(0, seenP.count(), PairCheck::name);
        r.r5 = seenQ.describe(0, seenQ.count(), PairCheck::name);
    }

    static String name(long value) {
        return value == P ? "P" : value == Q ? "Q" : null;
    }
}
