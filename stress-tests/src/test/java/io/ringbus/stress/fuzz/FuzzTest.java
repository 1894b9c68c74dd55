package io.ringbus.stress.fuzz;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of everything a peer writes into shared memory (issue 5): every input ends in a
 * valid result or a typed rejection (a {@code RingBusException}), never another exception, an
 * out-of-range read or a hang.
 *
 * <p>The normal test run fuzzes a bounded number of inputs per target (about 20 s in all on this
 * machine). The long mode runs a million per target:
 * {@code ./mvnw -o verify -pl stress-tests -am -Dsurefire.failIfNoSpecifiedTests=false -Dtest=FuzzTest
 * -Dringbus.fuzz.inputs=1000000}. A failure prints the input's seed, its steps and the command that
 * replays it alone; a finding fixed in bus-core keeps its seed in {@link #REGRESSIONS}.
 *
 * <p>Frame decoding (bus-transport) gets its target here when the decoder lands: a
 * {@link FuzzTarget} that mutates valid frames and feeds them to the decoder, with its typed
 * rejection ({@code MalformedFrameException}, a {@code RingBusException}) as the only failure allowed.
 */
class FuzzTest {
    /** Time bound of one input: anything longer is reported as a hang. */
    static final Duration PER_INPUT = Duration.ofSeconds(10);

    /**
     * Input seeds of findings fixed in bus-core, replayed first on every run, per target name. A seed
     * replays its input only while the target draws its choices the same way; each finding also has
     * a plain test in {@link FuzzRegressionTest}.
     */
    static final Map<String, long[]> REGRESSIONS = Map.of(
        "topic-file", new long[] {0xc722ce772c05b975L});

    /** Replays the target's regression seeds on a fresh target, then fuzzes another fresh one. */
    private static void fuzz(Callable<FuzzTarget> targets, long inputs) throws Exception {
        FuzzTarget target = targets.call();
        long[] regressions = REGRESSIONS.get(target.name());
        if (regressions != null) {
            System.out.println(FuzzDriver.replay(target, regressions, PER_INPUT) + " (regression seeds)");
            target = targets.call();
        }
        FuzzDriver.Report report = FuzzDriver.run(target, inputs, PER_INPUT);
        System.out.println(report + "; " + target.stats());
    }

    @Test
    void ringHeader() throws Exception {
        fuzz(RingHeaderFuzz::new, 100_000);
    }

    @Test
    void ringRecords() throws Exception {
        fuzz(RingRecordFuzz::new, 10_000);
    }

    @Test
    void topicFile() throws Exception {
        fuzz(TopicFileFuzz::new, 5_000);
    }

    @Test
    void frameStream() throws Exception {
        fuzz(FrameReaderFuzz::new, 100_000);
    }
}
