package io.ringbus.examples.bench.report;

/**
 * The latency percentiles of one measured variant (a path, a wakeup mode, a peer), in nanoseconds,
 * for the report's chart; a percentile not measured is {@code NaN}.
 *
 * @param name what was measured, as the chart's legend shows it
 * @param p50 median round trip
 * @param p90 90th percentile
 * @param p99 99th percentile
 * @param p999 99.9th percentile
 */
public record LatencySeries(String name, double p50, double p90, double p99, double p999) {
    /** The percentile labels of {@link #values()}, in order. */
    public static final String[] LABELS = {"p50", "p90", "p99", "p99.9"};

    double[] values() {
        return new double[] {p50, p90, p99, p999};
    }
}
