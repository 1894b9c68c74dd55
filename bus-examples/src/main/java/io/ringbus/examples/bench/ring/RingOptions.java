package io.ringbus.examples.bench.ring;

import java.time.Duration;

/**
 * The settings of one {@code bus bench ring} run, resolved from the command line.
 *
 * @param rounds measured runs per ring and benchmark, interleaved ringbus, Agrona, ringbus, ...
 * @param messages messages per throughput run, over all publishers
 * @param warmupRuns unrecorded throughput runs per ring before the measured rounds
 * @param roundTrips measured round trips per ping-pong run
 * @param pingWarmupRoundTrips least number of warm-up round trips before a ping-pong measurement
 * @param pingWarmupMillis least warm-up time before a ping-pong measurement, in the same loop
 * @param floorRoundTrips timed round trips per floor check
 * @param capacity data bytes of every ring, ringbus's and Agrona's alike
 * @param floorTolerance how far apart (as a fraction) two floor checks may be for their pair to count
 * @param stepTimeout longest any child may take over one step before it is declared hung
 * @param runBudget about how long a throughput run may take; runs are shortened to it on a busy machine
 * @param pingBudget longest a ping-pong run may take; on a machine too busy to keep up it measures fewer
 *     round trips (at least {@link io.ringbus.examples.bench.child.PingLoop#MIN_MEASURED})
 */
record RingOptions(int rounds, long messages, int warmupRuns, long roundTrips, long pingWarmupRoundTrips,
    long pingWarmupMillis, int floorRoundTrips, int capacity, double floorTolerance, Duration stepTimeout,
    Duration runBudget, Duration pingBudget) {

    RingOptions {
        if (rounds < 1 || messages < 2 || warmupRuns < 0 || roundTrips < 1 || floorRoundTrips < 1) {
            throw new IllegalArgumentException("rounds, messages (at least 2), round trips and floor round trips must"
                + " be positive, warm-up runs not negative");
        }
        if (floorTolerance < 0) {
            throw new IllegalArgumentException("floor tolerance " + floorTolerance + " is negative");
        }
    }
}
