package io.ringbus.examples.cli;

import io.ringbus.transport.record.RecordingSummary;
import io.ringbus.examples.support.Sizes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * The table of recordings that {@code bus replay DIR} and {@code bus stat --recordings DIR} print: one line per
 * recorded topic with its entries, first and last time, which time that is (publish or receive) and the size of
 * its files.
 */
final class RecordingTable {
    private static final String FORMAT = "%-24s %12s  %-30s  %-30s  %-8s %10s";

    private RecordingTable() {
    }

    static void print(PrintWriter out, Path directory) {
        List<RecordingSummary> summaries = RecordingSummary.all(directory);
        if (summaries.isEmpty()) {
            out.println("no recordings in " + directory);
            return;
        }
        out.println(String.format(FORMAT, "TOPIC", "ENTRIES", "FIRST", "LAST", "TIMES", "FILES"));
        for (RecordingSummary summary : summaries) {
            out.println(String.format(FORMAT, summary.topic(), summary.entries(),
                RecordingSummary.time(summary.first()), RecordingSummary.time(summary.last()), summary.times(),
                Sizes.bytes(summary.fileBytes())));
        }
    }
}
