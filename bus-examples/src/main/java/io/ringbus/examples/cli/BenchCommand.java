package io.ringbus.examples.cli;

import io.ringbus.examples.bench.AllBenchCommand;
import io.ringbus.examples.bench.AllBenchOptions;
import io.ringbus.examples.bench.gateway.GatewayBenchCommand;
import io.ringbus.examples.bench.record.RecordBenchCommand;
import io.ringbus.examples.bench.ring.RingBenchCommand;
import io.ringbus.examples.bench.transport.TransportBenchCommand;
import io.ringbus.examples.bench.wakeup.WakeupBenchCommand;
import io.ringbus.examples.jmh.JmhBenchCommand;
import io.ringbus.examples.support.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code bus bench}: the benchmarks, each a subcommand; with none, the quick run of all three
 * ({@link AllBenchCommand}).
 */
@Command(name = "bench",
    mixinStandardHelpOptions = true,
    description = {
        "Benchmarks of ringbus beside its peers, measured in the same run.",
        "With no subcommand (or 'all'): ring, wakeup and transport in quick mode (--full: full mode), one after"
            + " another, their tables side by side and one report folder; about two minutes on a quiet 2-core VM,"
            + " longer on a busy one (--full: about 25)."},
    subcommands = {RingBenchCommand.class, WakeupBenchCommand.class, TransportBenchCommand.class,
        GatewayBenchCommand.class, RecordBenchCommand.class, JmhBenchCommand.class, AllBenchCommand.class,
        CommandLine.HelpCommand.class},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
        "N:the benchmark's (see ./bus bench NAME --help); with no subcommand, that of the quick run of all three",
        "2:bad usage (an unknown benchmark or option, or --quick with --full)"},
    footer = {"", "Examples:",
        "  ./bus bench --quick",
        "  ./bus bench --full --report /tmp/bench",
        "  ./bus bench ring --quick --report /tmp/ring",
        "  ./bus bench transport --quick --paths unix,shm",
        "  ./bus bench gateway --quick                   # the Aeron gateway beside raw Aeron",
        "  ./bus bench record --quick",
        "  ./bus bench jmh -f 1 -wi 3 -i 5 ClaimCommit"})
public final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    AllBenchOptions options = new AllBenchOptions();

    @Override
    public Integer call() {
        return options.run(spec);
    }
}
