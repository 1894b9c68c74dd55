package io.ringbus.examples.bench;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options of the run of all three benchmarks, shared by {@code bus bench} (no subcommand) and
 * {@code bus bench all}, which run the same thing.
 */
public final class AllBenchOptions {
    @Option(names = "--quick", description = "Quick mode (the default; accepted for clarity).")
    boolean quick;

    @Option(names = "--full", description = "Full mode: each benchmark's own defaults, every message size for the"
        + " ring; about 25 minutes.")
    boolean full;

    @Option(names = "--report", paramLabel = "DIR",
        description = "Write summary.md and latency.svg for all three into DIR (default bench-report/<date-time>).")
    Path report;

    @Option(names = "--no-report", description = "Write no report folder.")
    boolean noReport;

    /** Runs all three with these options, printing on {@code spec}'s command line; returns the exit status. */
    public int run(CommandSpec spec) {
        return AllBenchCommand.runAll(spec, this);
    }
}
