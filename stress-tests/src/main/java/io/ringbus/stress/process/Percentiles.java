package io.ringbus.stress.process;

import java.util.List;

/**
 * Count, p50, p99 and max of some milliseconds (nearest rank).
 *
 * @param count how many
 * @param p50 the median
 * @param p99 the 99th percentile
 * @param max the largest
 */
public record Percentiles(int count, double p50, double p99, double max) {
    static Percentiles of(List<Double> values) {
        if (values.isEmpty()) {
            return new Percentiles(0, 0, 0, 0);
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Percentiles(sorted.length, rank(sorted, 50), rank(sorted, 99), sorted[sorted.length - 1]);
    }

    private static double rank(double[] sorted, double percentile) {
        int index = (int) Math.ceil(percentile / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
