package io.ringbus.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.ringbus.core.Result;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.*;
import org.openjdk.jcstress.infra.results.LLL_Result;

/**
 * The reader's cursor holds a single producer back across the wrap. The ring holds fifteen unread
 * 64-byte records r0..r14 from position 0; the tail is at 960, 64 bytes before the end. The producer
 * offers N, an 80-byte record: its claim is 64 bytes of padding plus N at 1024, offset 0, which
 * covers r0 and the header of r1. It fits only once the cursor has passed both (position 128).
 *
 * <p>The reader polls r0, publishes {@code freed = 1}, polls r1, publishes {@code freed = 2}. The
 * producer reads {@code freed}, then offers once. Having seen 2, it must succeed: the reader's
 * cursor store happens-before its own limit refresh. Any success before the cursor reached 128
 * overwrites r1 before the reader gets to it.
 *
 * <p>r1: what the reader's two polls delivered; r2: what the producer saw and got; r3: the rest, after
 * the arbiter drains the reader and, if the producer was refused, offers N again (which must succeed).
 */
@JCStressTest
@Description("Back-pressure at the wrap: never overwrite an unread record, never refuse once space is freed")
@Outcome(id = "r0 r1, saw [01] refused, rest ok", expect = ACCEPTABLE,
    desc = "The producer's refresh ran before the reader passed r1; the arbiter's retry succeeded.")
@Outcome(id = "r0 r1, saw [012] ok, rest ok", expect = ACCEPTABLE,
    desc = "The producer's refresh saw the cursor past r1 (whether or not it had seen the flag).")
@Outcome(id = ".*, saw 2 refused, .*", expect = FORBIDDEN,
    desc = "Refused after the reader had freed the space: the limit refresh did not see the cursor.")
@Outcome(id = "(?!r0 r1, ).*", expect = FORBIDDEN,
    desc = "r0 or r1 was overwritten before it was read: the claim passed the limit (padding not counted?).")
@Outcome(id = ".*retry refused.*", expect = FORBIDDEN,
    desc = "Refused with the cursor past r1, in the arbiter: the limit is stale or miscomputed.")
@Outcome(id = ".*, rest [^o].*", expect = FORBIDDEN,
    desc = "Later records lost, damaged, out of order, or N wrong or duplicated.")
@Outcome(id = ".*corrupt.*", expect = FORBIDDEN,
    desc = "A header changed under the reader (CorruptRingException): a producer overwrote an unconsumed record.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class BackPressureWrap {
    private static final VarHandle FREED;
    private static final long FIRST = 0x1000_1000_1000_1000L;
    private static final int RECORDS = 15;
    private static final long NEW = 0x4E4E_4E4E_4E4E_4E4EL;
    private static final int NEW_PAYLOAD = 64;

    static {
        try {
            FREED = MethodHandles.lookup().findVarHandle(BackPressureWrap.class, "freed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RingWriter writer;
    private final RingReader reader;
    private final Recorder seen = new Recorder();
    private int freed;
    private int sawFreed;
    private long offered;

    public BackPressureWrap() {
        Ring ring = Rings.newRing(ProducerMode.SINGLE, 0);
        reader = ring.newReader();
        writer = ring.newWriter();
        for (int i = 0; i < RECORDS; i++) {
            if (Rings.write(writer, Rings.PAYLOAD, FIRST + i) < 0) {
                throw new IllegalStateException("fill refused");
            }
        }
    }

    @Actor
    public void consumer() {
        Rings.poll(reader, seen, 1);
        FREED.setVolatile(this, 1);
        Rings.poll(reader, seen, 1);
        FREED.setVolatile(this, 2);
    }

    @Actor
    public void producer() {
        sawFreed = (int) FREED.getVolatile(this);
        offered = Rings.write(writer, NEW_PAYLOAD, NEW);
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        r.r1 = seen.describe(0, seen.count(), BackPressureWrap::name);
        r.r2 = "saw " + sawFreed + (offered >= 0 ? " ok" : " refused");
        String retry = "";
        if (offered == Result.BACK_PRESSURED) {
            long again = Rings.write(writer, NEW_PAYLOAD, NEW);
            if (again < 0) {
                retry = "retry refused " + Result.describe(again);
            }
        }
        int before = seen.count();
        Rings.drain(reader, seen);
        boolean ok = seen.count() == before + RECORDS - 1;
        for (int i = 2; ok && i < RECORDS; i++) {
            ok = seen.value(before + i - 2) == FIRST + i;
        }
        ok = ok && seen.value(seen.count() - 1) == NEW;
        if (!retry.isEmpty()) {
            r.r3 = retry;
        } else {
            r.r3 = ok ? "rest ok" : "rest " + seen.describe(before, seen.count(), BackPressureWrap::name);
        }
    }

    private static String name(long value) {
        if (value == NEW) {
            return "N";
        }
        long index = value - FIRST;
        return index >= 0 && index < RECORDS ? "r" + index : null;
    }
}
