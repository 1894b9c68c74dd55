package io.ringbus.examples.bench;

import io.ringbus.examples.bench.record.RecordBenchCommand;
import io.ringbus.examples.bench.report.ReportSection;
import io.ringbus.stress.common.JvmLauncher;
import io.ringbus.transport.codec.CodecFlags;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench record} under {@code bench all}: in a child JVM given the Chronicle flags (the launcher gives
 * them to {@code bench record} alone, not to {@code bench}), its output passed through, its table kept for the
 * report.
 */
final class RecordBenchChild {
    private RecordBenchChild() {
    }

    /** Runs {@code bus bench record ARGS}; returns its exit status, adding its table to {@code sections}. */
    static int run(List<String> args, PrintWriter out, List<ReportSection> sections) {
        List<String> flags = new ArrayList<>(CodecFlags.all());
        flags.add("-Dchronicle.analytics.disable=true");
        flags.add("-Dslf4j.internal.verbosity=ERROR");
        StringBuilder table = new StringBuilder();
        try {
            Process child = JvmLauncher.start(RecordBenchCommand.class, flags, args);
            boolean inTable = false;
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    out.println(line);
                    out.flush();
                    inTable |= line.equals(RecordBenchCommand.TABLE_MARK);
                    if (inTable && !line.equals(RecordBenchCommand.TABLE_MARK)) {
                        table.append(line).append('\n');
                    }
                }
            }
            int status = child.waitFor();
            if (status == 0 && !table.isEmpty()) {
                sections.add(new ReportSection("bench record", "./bus bench record " + String.join(" ", args),
                    table.toString(), List.of()));
            }
            return status;
        } catch (IOException e) {
            out.println("bench record: cannot start its JVM: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }
}
