package io.ringbus.examples.bench.report;

import java.util.List;

/**
 * What one benchmark adds to a report folder: its title, the command that ran it, its result table as
 * printed, and the latency percentiles of each variant it measured.
 *
 * @param title the benchmark, e.g. {@code bench ring}
 * @param command the command line as typed
 * @param table the result table, exactly as printed on the console
 * @param series latency percentiles per measured variant, for the chart
 */
public record ReportSection(String title, String command, String table, List<LatencySeries> series) {
    public ReportSection {
        series = List.copyOf(series);
    }
}
