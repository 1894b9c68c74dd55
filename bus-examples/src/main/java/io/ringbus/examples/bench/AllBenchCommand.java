package io.ringbus.examples.bench;

import io.ringbus.examples.bench.report.ReportFolder;
import io.ringbus.examples.bench.report.ReportOptions;
import io.ringbus.examples.bench.report.ReportSection;
import io.ringbus.examples.bench.ring.RingBenchCommand;
import io.ringbus.examples.bench.transport.TransportBenchCommand;
import io.ringbus.examples.bench.wakeup.WakeupBenchCommand;
import io.ringbus.examples.support.ExitCodes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code bus bench all} (and {@code bus bench} alone): the quick run of every benchmark (or, with
 * {@code --full}, the full run), one after another (ring, wakeup, transport), each with its own floor
 * checks and interleaved peers, then {@code bench record} in a JVM with the Chronicle flags, then their tables
 * side by side and one report folder holding them all.
 */
@Command(name = "all", mixinStandardHelpOptions = true,
    description = {
        "Runs bench ring, bench wakeup and bench transport in quick mode (--full: in full mode, the ring at"
            + " 32, 64, 288, 1024 and 65536 bytes), one after another, then bench record (in a JVM with the"
            + " Chronicle flags), then prints their tables (every ratio against its peer) and writes one report"
            + " folder.",
        "Takes about two minutes on a quiet 2-core VM (108 s measured on 2026-12-07; --full: about 25), longer"
            + " on a busy machine."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":all three completed",
        "N:the first failing benchmark's status (the others still run)",
        "2:bad usage (an unknown option, or --quick with --full)"},
    footer = {"", "Examples:",
        "  ./bus bench --quick --report /tmp/bench",
        "  ./bus bench all --full --report /tmp/bench"})
public final class AllBenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    AllBenchOptions options = new AllBenchOptions();

    @Override
    public Integer call() {
        return options.run(spec);
    }

    /**
     * Runs the three benchmarks, quick or full, with the output and error streams of {@code spec}'s command
     * line; returns 0 when all three completed, else the first failure's status (the others still run), or
     * 2 when both modes were asked for.
     */
    static int runAll(CommandLine.Model.CommandSpec spec, AllBenchOptions options) {
        boolean full = options.full;
        Path report = options.report;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (options.quick && full) {
            err.println("bus bench: --quick and --full exclude each other; choose one");
            err.flush();
            return 2;
        }
        String mode = full ? "" : "--quick";
        long started = System.nanoTime();
        List<ReportSection> sections = new ArrayList<>();
        int status = 0;
        RingBenchCommand ring = new RingBenchCommand();
        ring.report().collectInto(sections);
        WakeupBenchCommand wakeup = new WakeupBenchCommand();
        wakeup.report().collectInto(sections);
        TransportBenchCommand transport = new TransportBenchCommand();
        transport.report().collectInto(sections);
        for (Object command : List.of(ring, wakeup, transport)) {
            CommandLine line = new CommandLine(command);
            line.setOut(out);
            line.setErr(err);
            out.printf("%n######## bench %s %s########%n", line.getCommandName(), full ? "" : mode + " ");
            out.flush();
            System.out.flush();
            int code = full ? line.execute() : line.execute(mode);
            System.out.flush();
            if (code != 0 && status == 0) {
                status = code;
            }
        }
        out.printf("%n######## bench record %s########%n", full ? "" : mode + " ");
        out.flush();
        int recordStatus = RecordBenchChild.run(full ? List.of() : List.of(mode), out, sections);
        if (recordStatus != 0 && status == 0) {
            status = recordStatus;
        }
        out.printf("%n######## all results, side by side (each ratio is ringbus / the peer measured in the same run)"
            + " ########%n");
        for (ReportSection section : sections) {
            out.printf("%n== %s (%s) ==%n%s", section.title(), section.command(), section.table());
        }
        out.printf("%nbench: all four finished in %.0f s%n", (System.nanoTime() - started) / 1e9);
        if (!options.noReport && !sections.isEmpty()) {
            Path written = ReportFolder.write(report != null ? report : ReportFolder.defaultDirectory(),
                ReportOptions.commandLine(spec), sections);
            out.println("report: " + written.resolve(ReportFolder.SUMMARY) + " and "
                + written.resolve(ReportFolder.CHART));
        }
        out.flush();
        return status;
    }
}
