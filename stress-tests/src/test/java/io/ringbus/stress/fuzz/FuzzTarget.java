package io.ringbus.stress.fuzz;

import io.ringbus.core.RingBusException;

/**
 * Something fuzzed: it builds one input from a {@link FuzzInput} (usually a valid structure,
 * then damaged) and runs the code under test on it. It must return normally (a valid result, which
 * the target checks with assertions) or throw a typed rejection; anything else is a finding.
 *
 * <p>Targets keep expensive fixtures (a topic file, an arena) between inputs and release them in
 * {@link #close()}. A target is used by one thread at a time.
 */
public interface FuzzTarget extends AutoCloseable {
    /** A short name, used in reports and in {@code -Dringbus.fuzz.target}. */
    String name();

    /** Builds the input drawn from {@code input} and runs the code under test on it. */
    void fuzzOne(FuzzInput input) throws Exception;

    /** Whether {@code thrown} is a typed rejection: by default, any {@link RingBusException}. */
    default boolean isTypedRejection(Throwable thrown) {
        return thrown instanceof RingBusException;
    }

    /** Counts of what the target did beyond the inputs (operations, rejections), for the report. */
    default String stats() {
        return "";
    }

    @Override
    default void close() throws Exception {
    }
}
