package io.ringbus.examples.cli;

import io.ringbus.examples.demo.RingDemo;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code bus} command line: the launcher {@code ./bus} runs this class for every subcommand but
 * {@code test}, which it runs itself (a build of everything, then the tests).
 */
@Command(name = "bus",
    mixinStandardHelpOptions = true,
    version = "ringbus 0.1.0",
    description = "ringbus: a message bus over shared-memory ring buffers.",
    subcommands = {RingDemo.class, BenchCommand.class, CommandLine.HelpCommand.class},
    footer = {"",
        "Also: ./bus test   runs every test (unit, jcstress quick mode).",
        "Exit codes: 0 success, 1 a failure the message explains, 2 bad usage."})
public final class BusCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The command line with ringbus's error handling: one clear line, no stack trace. */
    public static CommandLine newCommandLine() {
        CommandLine commandLine = new CommandLine(new BusCommand());
        commandLine.setExecutionExceptionHandler((exception, line, parseResult) -> {
            line.getErr().println("bus " + line.getCommandName() + ": " + exception.getMessage());
            return 1;
        });
        return commandLine;
    }
}
