package io.ringbus.examples.cli;

import io.ringbus.examples.bench.RingBenchCommand;
import io.ringbus.examples.bench.TransportBenchCommand;
import io.ringbus.examples.bench.WakeupBenchCommand;
import io.ringbus.examples.jmh.JmhBenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bus bench}: the benchmarks, each a subcommand. */
@Command(name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks of ringbus beside its peers, measured in the same run.",
    subcommands = {RingBenchCommand.class, WakeupBenchCommand.class, TransportBenchCommand.class,
        JmhBenchCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {"N:the benchmark's (see ./bus bench NAME --help); 0 when only this help is shown",
        ExitCodes.USAGE + " (an unknown benchmark)"},
    footer = {"", "Examples:",
        "  ./bus bench ring --quick",
        "  ./bus bench wakeup",
        "  ./bus bench transport --quick --paths unix,shm",
        "  ./bus bench jmh -f 1 -wi 3 -i 5 ClaimCommit"})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
