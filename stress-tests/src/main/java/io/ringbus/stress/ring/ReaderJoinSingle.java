package io.ringbus.stress.ring;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.ringbus.core.ring.ProducerMode;
import org.openjdk.jcstress.annotations.*;
import org.openjdk.jcstress.infra.results.LLL_Result;

/**
 * A reader joins ({@code ring.newReader()}) while a single-producer writer writes; see {@link JoinCheck}
 * for the set-up and the results.
 */
@JCStressTest
@Description("Reader join racing a single producer: from its start on, every record, in order, intact")
@Outcome(id = "(before|during|after), (all 20|held back), in order", expect = ACCEPTABLE,
    desc = "The reader got exactly the records claimed after it started; the producer was held back, if at"
        + " all, only after a ring's worth of records past the reader.")
@Outcome(id = ".*, held early, .*", expect = FORBIDDEN,
    desc = "Refused with less than a ring of unread records: the limit used a cursor that was not there.")
@Outcome(id = ".*, missing", expect = FORBIDDEN,
    desc = "Records after the start never delivered: a producer overwrote them (limit computed without the"
        + " joining cursor, from a tail later than the reader's start), so their stamps no longer match.")
@Outcome(id = ".*, (gap|duplicate|before start)", expect = FORBIDDEN,
    desc = "Records skipped, repeated, or from before the start position delivered.")
@Outcome(id = ".*, (stale|torn|zero|padding|badheader|foreign)", expect = FORBIDDEN,
    desc = "A torn or stale record delivered: an overwritten or half-written record passed the stamp check.")
@Outcome(id = ".*corrupt.*", expect = FORBIDDEN,
    desc = "A header changed under the reader (CorruptRingException): a producer overwrote an unconsumed record.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: a start position off the record boundaries.")
@State
public class ReaderJoinSingle {
    private final JoinCheck check = new JoinCheck(ProducerMode.SINGLE);

    @Actor
    public void producer() {
        check.produce();
    }

    @Actor
    public void joiner() {
        check.join();
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        check.judge(r);
    }
}
