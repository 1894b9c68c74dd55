package io.ringbus.examples.support;

import io.ringbus.core.CorruptRingException;
import io.ringbus.core.LostPages;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * ringbus's conventions for any picocli command line, the {@code bus} command's and the samples' alike:
 * UTF-8 output whatever the locale, one line per error ({@code bus <command>: <what went wrong>}, no
 * stack trace), exit codes 1 (failure) and 2 (usage). That includes a topic file truncated under the
 * command: HotSpot raises the {@code InternalError} of an access to its lost pages asynchronously,
 * usually in the command's own loop rather than in the ringbus call that faulted, so it is caught
 * around the whole command and made the typed error ({@link LostPages}) that names the file.
 */
public final class CommandLines {
    private CommandLines() {
    }

    /** Gives {@code commandLine} the conventions, writing to this process's standard output. */
    public static CommandLine configure(CommandLine commandLine) {
        // On the descriptor itself, not System.out, so that a closed pipe shows in checkError().
        return configure(commandLine, new PrintWriter(
            new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), true));
    }

    /** Gives {@code commandLine} the conventions, writing its output (help, results) to {@code out}. */
    public static CommandLine configure(CommandLine commandLine, PrintWriter out) {
        commandLine.setExecutionStrategy(parseResult -> {
            try {
                return new CommandLine.RunLast().execute(parseResult);
            } catch (InternalError fault) {
                CorruptRingException typed = LostPages.typed(fault);
                throw new CommandLine.ExecutionException(parseResult.asCommandLineList().getLast(),
                    typed.getMessage(), typed);
            }
        });
        commandLine.setOut(out);
        commandLine.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        commandLine.setExecutionExceptionHandler((exception, line, parseResult) -> {
            line.getOut().flush();
            line.getErr().println("bus " + line.getCommandName() + ": " + oneLine(exception));
            line.getErr().flush();
            return 1;
        });
        commandLine.setParameterExceptionHandler((exception, args) -> {
            CommandLine line = exception.getCommandLine();
            String name = line.getCommandSpec().qualifiedName();
            line.getErr().println(name + ": " + oneLine(exception) + " (see " + name + " --help)");
            line.getErr().flush();
            return line.getCommandSpec().exitCodeOnInvalidInput();
        });
        return commandLine;
    }

    /** An exception's message on one line (its class and message when it has none). */
    public static String oneLine(Exception exception) {
        String message = exception.getMessage();
        if (message == null || message.isBlank()) {
            message = exception.toString();
        }
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
