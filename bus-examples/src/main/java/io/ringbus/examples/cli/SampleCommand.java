package io.ringbus.examples.cli;

import io.ringbus.examples.BasicPublisher;
import io.ringbus.examples.BasicSubscriber;
import io.ringbus.examples.ChronicleOrderPublisher;
import io.ringbus.examples.ChronicleOrderSubscriber;
import io.ringbus.examples.Ping;
import io.ringbus.examples.Pong;
import io.ringbus.examples.SbeOrderPublisher;
import io.ringbus.examples.SbeOrderSubscriber;
import io.ringbus.examples.support.ExitCodes;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bus sample NAME}: runs one of the samples in io.ringbus.examples, which are also plain mains. */
@Command(name = "sample",
    mixinStandardHelpOptions = true,
    description = {"Runs a sample program: basic-publisher, basic-subscriber, ping, pong, and the typed-message"
            + " samples order-publisher-chronicle, order-subscriber-chronicle (Chronicle Bytes), order-publisher-sbe,"
            + " order-subscriber-sbe (SBE codecs), which ./bus starts with their libraries' JVM flags.",
        "Each is also a main of its own in io.ringbus.examples, such as",
        "java --enable-native-access=ALL-UNNAMED -cp bus-examples/target/ringbus.jar io.ringbus.examples.Ping"},
    subcommands = {BasicPublisher.class, BasicSubscriber.class, Ping.class, Pong.class,
        ChronicleOrderPublisher.class, ChronicleOrderSubscriber.class, SbeOrderPublisher.class,
        SbeOrderSubscriber.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {"N:the sample's (see ./bus sample NAME --help); 0 when only this help is shown",
        ExitCodes.USAGE + " (an unknown sample)"},
    footer = {"", "Examples:",
        "  ./bus sample basic-subscriber     # terminal 1",
        "  ./bus sample basic-publisher      # terminal 2",
        "  ./bus sample pong                 # terminal 1",
        "  ./bus sample ping                 # terminal 2: round-trip latency percentiles",
        "  ./bus sample order-subscriber-sbe # terminal 1",
        "  ./bus sample order-publisher-sbe  # terminal 2: orders encoded with SBE straight into claims"})
public final class SampleCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
