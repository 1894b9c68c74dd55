package io.ringbus.stress.fuzz;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a {@link FuzzTarget} over many inputs and fails on the first finding: an exception that is
 * not a typed rejection, an assertion of the target, or an input that runs longer than its time
 * bound (a hang). Input {@code i} of a run with base seed {@code b} is replayed by the seed
 * {@link #inputSeed(long, long) inputSeed(b, i)}, which every failure prints with the command that
 * replays it alone.
 *
 * <p>Inputs run on one worker thread; the calling thread is the watchdog. A hung input cannot be
 * stopped in Java: the driver reports it with the worker's stack and leaves the (daemon) thread.
 *
 * <p>Properties: {@code ringbus.fuzz.inputs} (inputs per target; the long mode uses 1000000),
 * {@code ringbus.fuzz.seed} (base seed of the run), {@code ringbus.fuzz.replay} with
 * {@code ringbus.fuzz.target} (run one input seed of one target, printing its steps).
 */
public final class FuzzDriver {
    /** Property: inputs per target. */
    public static final String INPUTS_PROPERTY = "ringbus.fuzz.inputs";
    /** Property: base seed of a run. */
    public static final String SEED_PROPERTY = "ringbus.fuzz.seed";
    /** Property: one input seed to replay, in hexadecimal (as failures print it). */
    public static final String REPLAY_PROPERTY = "ringbus.fuzz.replay";
    /** Property: the target a replay is for. */
    public static final String TARGET_PROPERTY = "ringbus.fuzz.target";
    /** Default base seed: runs are the same every time unless told otherwise. */
    public static final long DEFAULT_SEED = 0x52494E4742555346L;

    private FuzzDriver() {
    }

    /** What a run did. */
    public record Report(String target, long inputs, long accepted, long rejected, long nanos) {
        @Override
        public String toString() {
            return String.format("fuzz %s: %,d inputs in %.1f s: %,d valid results, %,d typed rejections, 0 findings",
                target, inputs, nanos / 1e9, accepted, rejected);
        }
    }

    /** The seed of input {@code index} of a run with base seed {@code base} (a SplitMix64 step). */
    public static long inputSeed(long base, long index) {
        long z = base + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Runs {@code target} over the inputs the properties ask for ({@code defaultInputs} unless
     * {@value #INPUTS_PROPERTY} is set), or over one replayed input when {@value #REPLAY_PROPERTY} is
     * set for this target, and closes it.
     *
     * @param perInput the time bound of one input: longer is a hang
     * @throws AssertionError on the first finding, naming its seed
     */
    public static Report run(FuzzTarget target, long defaultInputs, Duration perInput) throws Exception {
        try (target) {
            String replay = System.getProperty(REPLAY_PROPERTY);
            if (replay != null && target.name().equals(System.getProperty(TARGET_PROPERTY))) {
                return runSeeds(target, new long[] {Long.parseUnsignedLong(replay, 16)}, perInput, true);
            }
            long inputs = Long.getLong(INPUTS_PROPERTY, defaultInputs);
            long base = Long.getLong(SEED_PROPERTY, DEFAULT_SEED);
            return runSeeds(target, base, inputs, perInput);
        }
    }

    /** Runs the given input seeds (regression cases) through {@code target}, and closes it. */
    public static Report replay(FuzzTarget target, long[] seeds, Duration perInput) throws Exception {
        try (target) {
            return runSeeds(target, seeds, perInput, false);
        }
    }

    private static Report runSeeds(FuzzTarget target, long base, long inputs, Duration perInput)
        throws InterruptedException {
        return watch(target, perInput, new SeedSource() {
            @Override
            public long count() {
                return inputs;
            }

            @Override
            public long seed(long index) {
                return inputSeed(base, index);
            }
        }, false);
    }

    private static Report runSeeds(FuzzTarget target, long[] seeds, Duration perInput, boolean verbose)
        throws InterruptedException {
        long[] copy = Arrays.copyOf(seeds, seeds.length);
        return watch(target, perInput, new SeedSource() {
            @Override
            public long count() {
                return copy.length;
            }

            @Override
            public long seed(long index) {
                return copy[(int) index];
            }
        }, verbose);
    }

    private interface SeedSource {
        long count();

        long seed(long index);
    }

    private static Report watch(FuzzTarget target, Duration perInput, SeedSource seeds, boolean verbose)
        throws InterruptedException {
        AtomicLong started = new AtomicLong(-1);
        AtomicLong startedAt = new AtomicLong();
        AtomicReference<Throwable> finding = new AtomicReference<>();
        AtomicReference<FuzzInput> current = new AtomicReference<>();
        long[] counts = new long[2];
        long begin = System.nanoTime();
        Thread worker = Thread.ofPlatform().daemon().name("fuzz-" + target.name()).unstarted(() -> {
            for (long i = 0; i < seeds.count() && finding.get() == null; i++) {
                FuzzInput input = new FuzzInput(seeds.seed(i));
                current.set(input);
                startedAt.set(System.nanoTime());
                started.set(i);
                try {
                    target.fuzzOne(input);
                    counts[0]++;
                } catch (Throwable t) {
                    if (target.isTypedRejection(t)) {
                        counts[1]++;
                    } else {
                        finding.set(t);
                    }
                }
                if (verbose) {
                    System.out.println("replayed " + describe(target, input));
                }
            }
        });
        worker.start();
        long limit = perInput.toNanos();
        while (worker.isAlive()) {
            worker.join(50);
            long index = started.get();
            if (worker.isAlive() && index >= 0 && System.nanoTime() - startedAt.get() > limit
                && started.get() == index) {
                FuzzInput input = current.get();
                AssertionError hang = new AssertionError("HANG: fuzz input ran longer than " + perInput + ": "
                    + describe(target, input));
                hang.setStackTrace(worker.getStackTrace());
                throw hang;
            }
        }
        Throwable failure = finding.get();
        if (failure != null) {
            throw new AssertionError("FINDING: " + failure + "\n  " + describe(target, current.get()), failure);
        }
        return new Report(target.name(), seeds.count(), counts[0], counts[1], System.nanoTime() - begin);
    }

    private static String describe(FuzzTarget target, FuzzInput input) {
        String seed = Long.toHexString(input.seed());
        return "target " + target.name() + ", input seed " + seed
            + "\n  replay: ./mvnw -o verify -pl stress-tests -am -Dsurefire.failIfNoSpecifiedTests=false"
            + " -Dtest=FuzzTest -D" + TARGET_PROPERTY + "=" + target.name() + " -D" + REPLAY_PROPERTY + "="
            + seed + "\n  steps: " + String.join("\n         ", input.notes());
    }
}
