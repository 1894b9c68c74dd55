package io.ringbus.examples.bench.report;

import io.ringbus.stress.common.JvmLauncher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A benchmark's report folder: {@code summary.md} (date, command, machine, then each benchmark's
 * table as printed) and {@code latency.svg} (a chart of the latency percentiles of every measured
 * variant, log scale; see {@link LatencyChart}). One benchmark writes one section; {@code bus bench}
 * writes the sections of all three into one folder.
 */
public final class ReportFolder {
    public static final String SUMMARY = "summary.md";
    public static final String CHART = "latency.svg";

    private ReportFolder() {
    }

    /** {@code bench-report/<date-time>} under the current directory. */
    public static Path defaultDirectory() {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss", Locale.ROOT));
        return Path.of("bench-report", stamp);
    }

    /** Writes {@code summary.md} and {@code latency.svg} into {@code directory}, creating it; returns it. */
    public static Path write(Path directory, List<ReportSection> sections) {
        return write(directory, null, sections);
    }

    /**
     * Writes the folder for an umbrella {@code command} (null for a single benchmark) that ran the
     * {@code sections}' commands.
     */
    public static Path write(Path directory, String command, List<ReportSection> sections) {
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve(SUMMARY), summary(command, sections), StandardCharsets.UTF_8);
            List<LatencySeries> series = new ArrayList<>();
            sections.forEach(section -> series.addAll(section.series()));
            String title = "Round-trip latency percentiles, "
                + String.join(" + ", sections.stream().map(ReportSection::title).toList());
            Files.writeString(directory.resolve(CHART), LatencyChart.svg(title, series), StandardCharsets.UTF_8);
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + directory + ": " + e, e);
        }
    }

    static String summary(String command, List<ReportSection> sections) {
        StringBuilder md = new StringBuilder();
        md.append("# ringbus benchmark report\n\n");
        md.append("- date: ").append(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME)).append('\n');
        if (command != null) {
            md.append("- command: `").append(command).append("`, which ran:\n");
        }
        for (ReportSection section : sections) {
            md.append(command != null ? "  - `" : "- command: `").append(section.command()).append("`\n");
        }
        md.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
            .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version")).append(' ')
            .append(System.getProperty("os.arch")).append('\n');
        md.append("- JDK: ").append(System.getProperty("java.vm.vendor")).append(' ')
            .append(Runtime.version()).append(" (").append(JvmLauncher.javaBinary()).append(")\n");
        md.append("- placement: a VM's vCPUs may move between a near and a far placement every few seconds, which"
            + " alone changes a spinning round trip about 4x; every figure was measured after a floor check (a bare"
            + " spin ping-pong between two JVMs) and ratios come only from rounds whose floor checks agree, peers"
            + " interleaved with ringbus in the same run. Compare ratios, not absolute figures, across runs.\n");
        md.append("- chart: [").append(CHART).append("](").append(CHART).append(")\n");
        for (ReportSection section : sections) {
            md.append("\n## ").append(section.title()).append("\n\n```\n").append(section.table().strip())
                .append("\n```\n");
        }
        return md.toString();
    }
}
