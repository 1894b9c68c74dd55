package io.ringbus.examples.bench.transport;

import java.time.Duration;
import java.util.List;

/**
 * The settings of one {@code bus bench transport} run, resolved from the command line.
 *
 * @param variants what to measure, in order
 * @param rounds measured runs per side and measure, interleaved ringbus, raw, ringbus, ...
 * @param size payload bytes of every message
 * @param capacity data bytes of every topic's ring
 * @param bridgeWakeup how the bridge's sessions wait for messages to forward
 * @param startupRoundTrips least number of round trips of the unrecorded first run of each ping-pong pair
 * @param startupMillis least duration of that first run
 * @param warmupRoundTrips least number of warm-up round trips of each measured run, in its own loop
 * @param warmupMillis least warm-up duration of each measured run, in its own loop
 * @param roundTrips measured round trips per run, at most
 * @param roundTripBudget about how long the measured part of a ping-pong run may take; fewer round
 *     trips are measured when the first run shows they would take longer (never fewer than 1,000)
 * @param messages messages per throughput run, at most
 * @param warmupRuns unrecorded throughput runs per side before the rounds
 * @param runBudget about how long a throughput run may take; runs are shortened to it
 * @param floorRoundTrips timed round trips per floor check
 * @param floorTolerance how far apart (as a fraction) a round's floor checks may be for it to count
 * @param stepTimeout longest any child may take over one step before it is declared hung
 * @param roundTrip whether to measure round trips
 * @param throughput whether to measure throughput
 * @param threeStage whether to measure the raw channel's three-stage peers too ({@link RawStaged}), on
 *     blocking variants
 */
record TransportOptions(List<TransportVariant> variants, int rounds, int size, int capacity,
    TransportWait bridgeWakeup, long startupRoundTrips, long startupMillis, long warmupRoundTrips, long warmupMillis,
    long roundTrips, Duration roundTripBudget, long messages, int warmupRuns, Duration runBudget, int floorRoundTrips,
    double floorTolerance, Duration stepTimeout, boolean roundTrip, boolean throughput, boolean threeStage) {

    /** Smallest payload: a sequence number (8 bytes) and a publisher id (4), rounded up. */
    static final int MIN_SIZE = 16;
    /** The message size the targets are set for; other sizes are measured without one. */
    static final int TARGET_SIZE = 64;

    TransportOptions {
        variants = List.copyOf(variants);
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("nothing to measure: no path chosen");
        }
        if (rounds < 1 || roundTrips < 1 || messages < 2 || warmupRuns < 0 || floorRoundTrips < 1
            || startupRoundTrips < 0 || warmupRoundTrips < 0 || startupMillis < 0 || warmupMillis < 0) {
            throw new IllegalArgumentException("rounds, round trips and messages (at least 2) must be positive;"
                + " warm-up counts and times not negative");
        }
        if (size < MIN_SIZE || size > capacity / 8) {
            throw new IllegalArgumentException("--sizes: " + size + " must be between " + MIN_SIZE
                + " and capacity / 8 (" + capacity / 8 + ")");
        }
        if (capacity < 4096 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("--capacity " + capacity + " must be a power of two, at least 4096");
        }
        if (floorTolerance < 0) {
            throw new IllegalArgumentException("--floor-tolerance " + floorTolerance + " is negative");
        }
        if (!roundTrip && !throughput) {
            throw new IllegalArgumentException("--only chose nothing to measure");
        }
    }

    /** Whether {@code variant} gets the three-stage raw peers: asked for, and a blocking path with a raw peer. */
    boolean threeStage(TransportVariant variant) {
        return threeStage && variant.hasRawPeer() && variant.waitMode() == TransportWait.BLOCKING;
    }

    /** Whether the targets apply: they are set for {@link #TARGET_SIZE}-byte messages. */
    boolean targeted() {
        return size == TARGET_SIZE;
    }
}
