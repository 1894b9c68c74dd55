package io.ringbus.examples.bench;

import io.ringbus.examples.cli.ExitCodes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bus bench all} (and {@code bus bench} alone): the quick run of every benchmark, one after
 * another (ring, wakeup, transport), each with its own floor checks and interleaved peers, then their
 * tables side by side and one report folder holding all three.
 */
@Command(name = "all", mixinStandardHelpOptions = true,
    description = {
        "Runs bench ring, bench wakeup and bench transport in quick mode, one after another, then prints"
            + " their tables (every ratio against its peer) and writes one report folder.",
        "Takes three to five minutes on a 2-core VM, longer on a busy machine. For full runs, run each benchmark"
            + " on its own."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":all three completed",
        "N:the first failing benchmark's status (the others still run)", ExitCodes.USAGE},
    footer = {"", "Example: ./bus bench --quick --report /tmp/bench"})
public final class AllBenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "Quick mode (the only mode of the umbrella; accepted for clarity).")
    boolean quick;

    @Option(names = "--report", paramLabel = "DIR",
        description = "Write summary.md and latency.svg for all three into DIR (default bench-report/<date-time>).")
    Path report;

    @Option(names = "--no-report", description = "Write no report folder.")
    boolean noReport;

    @Override
    public Integer call() {
        return runAll(spec, report, noReport);
    }

    /**
     * Runs the three quick benchmarks with the output and error streams of {@code spec}'s command line;
     * returns 0 when all three completed, else the first failure's status (the others still run).
     */
    public static int runAll(CommandLine.Model.CommandSpec spec, Path report, boolean noReport) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long started = System.nanoTime();
        List<ReportSection> sections = new ArrayList<>();
        int status = 0;
        RingBenchCommand ring = new RingBenchCommand();
        ring.report.collectInto(sections);
        WakeupBenchCommand wakeup = new WakeupBenchCommand();
        wakeup.report.collectInto(sections);
        TransportBenchCommand transport = new TransportBenchCommand();
        transport.report.collectInto(sections);
        for (Object command : List.of(ring, wakeup, transport)) {
            CommandLine line = new CommandLine(command);
            line.setOut(out);
            line.setErr(err);
            out.printf("%n######## %s --quick ########%n", line.getCommandName().equals("ring") ? "bench ring"
                : "bench " + line.getCommandName());
            out.flush();
            System.out.flush();
            int code = line.execute("--quick");
            System.out.flush();
            if (code != 0 && status == 0) {
                status = code;
            }
        }
        out.printf("%n######## all results, side by side (each ratio is ringbus / the peer measured in the same run)"
            + " ########%n");
        for (ReportSection section : sections) {
            out.printf("%n== %s (%s) ==%n%s", section.title(), section.command(), section.table());
        }
        out.printf("%nbench: all three finished in %.0f s%n", (System.nanoTime() - started) / 1e9);
        if (!noReport && !sections.isEmpty()) {
            Path written = ReportFolder.write(report != null ? report : ReportFolder.defaultDirectory(),
                ReportOptions.commandLine(spec), sections);
            out.println("report: " + written.resolve(ReportFolder.SUMMARY) + " and "
                + written.resolve(ReportFolder.CHART));
        }
        out.flush();
        return status;
    }
}
