package io.ringbus.examples.jmh;

import io.ringbus.examples.support.ExitCodes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bus bench jmh [JMH options] [benchmark regexps]}: JMH's own command line ({@code org.openjdk.jmh.Main})
 * over the microbenchmarks of this package, which the ringbus jar carries with their
 * {@code META-INF/BenchmarkList}. Forks are started from the same java binary and class path as the command.
 */
@Command(name = "jmh",
    description = {
        "JMH microbenchmarks of the in-process ring: OfferPollBenchmark (one message offered and polled back: the"
            + " public Publisher.offer/Subscriber.poll, the bare ring, Agrona's write/read; the *PolledAhead ones"
            + " add 7 empty polls per message, as a subscriber that keeps up sees), ClaimCommitBenchmark"
            + " (tryClaim/commit and offer, SINGLE and"
            + " MANY producer), PollBenchmark (poll of a filled ring, batch 1/16/256) and CursorMinimumBenchmark"
            + " (the slowest-cursor scan with 1/8/64 cursors).",
        "Every argument goes to JMH: its options (-f forks, -wi/-i warm-up and measured iterations, -w/-r their"
            + " time, -p param=values, -prof gc, -l to list, -h for all of them) and regexps of benchmarks to run.",
        "The defaults (1 fork, 3 x 1 s warm-up, 5 x 1 s measured, every parameter) take about 3 minutes for all."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":JMH ran (or listed) the benchmarks",
        "1:JMH reported an error: a bad option, a benchmark that failed",
        ExitCodes.SIGNALS},
    footer = {"",
        "Examples:",
        "  ./bus bench jmh -l",
        "  ./bus bench jmh -f 1 -wi 3 -i 5 ClaimCommit",
        "  ./bus bench jmh -f 1 -wi 1 -i 3 -r 1s -p cursors=1,64 -jvmArgsAppend --enable-native-access=ALL-UNNAMED"
            + " CursorMinimum"})
public final class JmhBenchCommand implements Callable<Integer> {
    @Option(names = "--help", usageHelp = true, description = "Show this help (JMH's own: -h).")
    private boolean help;

    @CommandLine.Unmatched
    private List<String> jmhArguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        org.openjdk.jmh.Main.main(jmhArguments.toArray(String[]::new));
        return 0;
    }
}
