package io.ringbus.examples.cli;

import io.ringbus.core.LostPages;
import io.ringbus.core.os.FileDescriptors;
import io.ringbus.examples.demo.DemoCommand;
import io.ringbus.examples.support.CommandLines;
import io.ringbus.examples.support.ExitCodes;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code bus} command line: the launcher {@code ./bus} runs this class for every subcommand but
 * {@code test}, which it runs itself (a build of everything, then the tests).
 *
 * <p>Every failure prints one line, {@code bus <command>: <what went wrong and what to do>}, and
 * exits 1; a usage error prints one line and exits 2.
 */
@Command(name = "bus",
    mixinStandardHelpOptions = true,
    version = "ringbus 0.1.0",
    description = "ringbus: a message bus over shared-memory ring buffers.",
    subcommands = {PubCommand.class, SubCommand.class, TailCommand.class, DaemonCommand.class, RunCommand.class,
        StatCommand.class, CleanCommand.class, RecordCommand.class, ReplayCommand.class, GatewayCommand.class,
        DemoCommand.class, SampleCommand.class, BenchCommand.class,
        StressCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":success",
        ExitCodes.FAILURE,
        ExitCodes.USAGE,
        ExitCodes.SIGNALS,
        "N:command-specific (bus run: the child's status; bus demo and bus stress: 1 when a check failed); see"
            + " COMMAND --help"},
    footer = {"", "Examples:",
        "  printf 'a\\nb\\n' | ./bus pub t && ./bus sub t --from earliest --count 2",
        "  ./bus tail t --hex             # watch the messages of t go by",
        "  ./bus stat --watch             # topics, rates and subscribers, like top",
        "  ./bus COMMAND --help           # options, examples, exit codes",
        "",
        "Also: ./bus test   runs every test (unit, jcstress quick mode, a short stress run of every fault)."})
public final class BusCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final InputStream input;

    BusCommand(InputStream input) {
        this.input = input;
    }

    /** Standard input, for the commands that read it. */
    InputStream input() {
        return input;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        int code;
        try {
            code = newCommandLine().execute(args);
        } catch (InternalError fault) {
            // A lost page's fault that HotSpot delivered even after the command's own handling (see
            // CommandLines.configure).
            System.err.println("bus: " + CommandLines.oneLine(LostPages.typed(fault)));
            code = 1;
        }
        System.exit(code);
    }

    /** The command line reading {@code System.in} and writing UTF-8 to {@code System.out}. */
    public static CommandLine newCommandLine() {
        return newCommandLine(System.in);
    }

    /**
     * The command line with ringbus's error handling: one clear line, no stack trace. Output is
     * UTF-8 whatever the locale, as the messages {@code bus sub} prints are.
     */
    public static CommandLine newCommandLine(InputStream input) {
        CommandLine commandLine = CommandLines.configure(new CommandLine(new BusCommand(input)), new StandardOutput());
        // bus run -- COMMAND: everything from the first word of COMMAND on is COMMAND's, even without --.
        commandLine.getSubcommands().get("run").setStopAtPositional(true);
        describeHelpCommands(commandLine);
        return commandLine;
    }

    private static Map<String, String> helpExitCodes() {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put("0", "the help was shown");
        codes.put("2", "no such command");
        return codes;
    }

    /** picocli's own {@code help} subcommands get an example and exit codes, as every other command has. */
    private static void describeHelpCommands(CommandLine commandLine) {
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            if (sub.getCommand() instanceof CommandLine.HelpCommand) {
                String parent = commandLine.getCommandSpec().qualifiedName();
                sub.getCommandSpec().usageMessage()
                    .exitCodeListHeading(ExitCodes.HEADING)
                    .exitCodeList(helpExitCodes())
                    .footer("", "Example: " + parent.replaceFirst("^bus", "./bus") + " help "
                        + sub.getParent().getSubcommands().keySet().stream().filter(name -> !name.equals("help"))
                            .findFirst().orElse("COMMAND"));
            } else {
                describeHelpCommands(sub);
            }
        }
    }

    /**
     * This process's standard output (descriptor 1 itself, not {@code System.out}, so that a closed pipe
     * shows in {@code checkError()}), UTF-8, flushed at each line. A command can tell it from a writer a
     * test set, and ask the OS whether its reader is gone.
     */
    static final class StandardOutput extends PrintWriter {
        private static final int STDOUT = 1;

        StandardOutput() {
            super(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), true);
        }

        /**
         * Whether nobody reads standard output any more: a pipe or socket whose reader closed
         * ({@code | head -1} exited), or a terminal that hung up. A command waiting for something to print
         * checks it while idle, as {@code tail -f} does, rather than noticing only at its next write.
         */
        static boolean readerGone() {
            int events = FileDescriptors.poll(STDOUT, FileDescriptors.POLL_OUT, -1, 0);
            return events > 0 && (events & (FileDescriptors.POLL_ERR | FileDescriptors.POLL_HUP
                | FileDescriptors.POLL_NVAL)) != 0;
        }
    }
}
