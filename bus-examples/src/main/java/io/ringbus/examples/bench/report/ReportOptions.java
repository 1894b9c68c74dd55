package io.ringbus.examples.bench.report;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The report options every benchmark shares ({@code --report DIR}, {@code --no-report}), and where its
 * section goes: into a folder of its own, or, under {@code bus bench}, into the umbrella's list.
 */
public final class ReportOptions {
    @Option(names = "--report", paramLabel = "DIR",
        description = "Write summary.md (the table, date, command, machine) and latency.svg (percentile chart) into"
            + " DIR (default bench-report/<date-time> under the current directory).")
    private Path directory;

    @Option(names = "--no-report", description = "Write no report folder.")
    private boolean disabled;

    /** Set by the umbrella {@code bus bench}: sections go here and it writes one folder for all. */
    private List<ReportSection> collector;

    public void collectInto(List<ReportSection> sections) {
        this.collector = sections;
    }

    /** The command line as typed: the command's qualified name and its arguments. */
    public static String commandLine(CommandSpec spec) {
        CommandSpec root = spec.root();
        List<String> args = root.commandLine().getParseResult() == null ? List.of()
            : root.commandLine().getParseResult().originalArgs();
        String prefix = root == spec ? "bench " + spec.name() + " " : "";
        return ("./bus " + prefix + String.join(" ", args)).strip();
    }

    /**
     * Writes the section (or hands it to the umbrella) and returns the line to print about it, or
     * {@code null} when nothing was written.
     */
    public String deliver(ReportSection section) {
        if (collector != null) {
            collector.add(section);
            return null;
        }
        if (disabled) {
            return null;
        }
        Path written = ReportFolder.write(directory != null ? directory : ReportFolder.defaultDirectory(),
            List.of(section));
        return "report: " + written.resolve(ReportFolder.SUMMARY) + " and " + written.resolve(ReportFolder.CHART);
    }
}
