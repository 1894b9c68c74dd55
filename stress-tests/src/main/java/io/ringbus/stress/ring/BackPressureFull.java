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
 * The reader's cursor holds a many-producer writer back on a full ring: sixteen unread 64-byte
 * records r0..r15 fill it, tail 1024, cursor 0. The producer's writer was created on the full ring,
 * so its cached limit is exactly the tail and its offer must rescan the cursors.
 *
 * <p>The reader polls r0 and publishes {@code freed = true}; the producer reads {@code freed}, then
 * offers N once, which lands on r0's bytes. Having seen the flag it must succeed; succeeding before
 * the cursor moved would overwrite r0 before the reader read it.
 *
 * <p>r1: what the reader's poll delivered; r2: what the producer saw and got; r3: the rest, after the
 * arbiter drains the reader and, if the producer was refused, offers N again (which must succeed).
 */
@JCStressTest
@Description("Back-pressure on a full ring: never overwrite the unread record, never refuse once it is read")
@Outcome(id = "r0, saw 0 refused, rest ok", expect = ACCEPTABLE,
    desc = "The producer rescanned before the reader moved; the arbiter's retry succeeded.")
@Outcome(id = "r0, saw [01] ok, rest ok", expect = ACCEPTABLE,
    desc = "The producer's rescan saw the cursor past r0 (whether or not it had seen the flag).")
@Outcome(id = ".*, saw 1 refused, .*", expect = FORBIDDEN,
    desc = "Refused after the reader had freed the space: the limit refresh did not see the cursor.")
@Outcome(id = "(?!r0, ).*", expect = FORBIDDEN,
    desc = "r0 was overwritten before it was read: the claim passed the reader's cursor + capacity.")
@Outcome(id = ".*retry refused.*", expect = FORBIDDEN,
    desc = "Refused with the cursor past r0, in the arbiter: the limit is stale or miscomputed.")
@Outcome(id = ".*, rest [^o].*", expect = FORBIDDEN,
    desc = "Later records lost, damaged or out of order, or N wrong or duplicated.")
@Outcome(id = ".*corrupt.*", expect = FORBIDDEN,
    desc = "A header changed under the reader (CorruptRingException): a producer overwrote an unconsumed record.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class BackPressureFull {
    private static final VarHandle FREED;
    private static final long FIRST = 0x2000_2000_2000_2000L;
    private static final int RECORDS = Rings.CAPACITY / Rings.RECORD;
    private static final long NEW = 0x4E4E_4E4E_4E4E_4E4EL;

    static {
        try {
            FREED = MethodHandles.lookup().findVarHandle(BackPressureFull.class, "freed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RingWriter writer;
    private final RingReader reader;
    private final Recorder seen = new Recorder();
    private boolean freed;
    private boolean sawFreed;
    private long offered;

    public BackPressureFull() {
        Ring ring = Rings.newRing(ProducerMode.MANY, 0);
        reader = ring.newReader();
        RingWriter filler = ring.newWriter();
        for (int i = 0; i < RECORDS; i++) {
            if (Rings.write(filler, Rings.PAYLOAD, FIRST + i) < 0) {
                throw new IllegalStateException("fill refused");
            }
        }
        writer = ring.newWriter();
    }

    @Actor
    public void consumer() {
        Rings.poll(reader, seen, 1);
        FREED.setVolatile(this, true);
    }

    @Actor
    public void producer() {
        sawFreed = (boolean) FREED.getVolatile(this);
        offered = Rings.write(writer, Rings.PAYLOAD, NEW);
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        r.r1 = seen.describe(0, seen.count(), BackPressureFull::name);
        r.r2 = "saw " + (sawFreed ? 1 : 0) + (offered >= 0 ? " ok" : " refused");
        String retry = "";
        if (offered == Result.BACK_PRESSURED) {
            long again = Rings.write(writer, Rings.PAYLOAD, NEW);
            if (again < 0) {
                retry = "retry refused " + Result.describe(again);
            }
        }
        int before = seen.count();
        Rings.drain(reader, seen);
        boolean ok = seen.count() == before + RECORDS;
        for (int i = 1; ok && i < RECORDS; i++) {
            ok = seen.value(before + i - 1) == FIRST + i;
        }
        ok = ok && seen.value(seen.count() - 1) == NEW;
        if (!retry.isEmpty()) {
            r.r3 = retry;
        } else {
            r.r3 = ok ? "rest ok" : "rest " + seen.describe(before, seen.count(), BackPressureFull::name);
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
