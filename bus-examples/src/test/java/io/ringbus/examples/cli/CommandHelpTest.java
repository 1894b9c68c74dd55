package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command of {@code bus}, at any depth, shows an example and its exit codes in its {@code --help}. */
class CommandHelpTest {
    /** Every command under {@code bus}, by qualified name, each once (aliases point to the same one). */
    private static Map<String, CommandLine> everyCommand() {
        Map<String, CommandLine> commands = new LinkedHashMap<>();
        collect(BusCommand.newCommandLine(InputStream.nullInputStream()), commands, new IdentityHashMap<>());
        return commands;
    }

    private static void collect(CommandLine line, Map<String, CommandLine> commands,
        Map<CommandLine, Boolean> seen) {
        if (seen.put(line, Boolean.TRUE) != null) {
            return;
        }
        commands.put(line.getCommandSpec().qualifiedName(), line);
        for (CommandLine sub : line.getSubcommands().values()) {
            collect(sub, commands, seen);
        }
    }

    @Test
    void theWalkReachesTheCommandsOfEveryLevel() {
        assertTrue(everyCommand().keySet().containsAll(List.of("bus", "bus pub", "bus sub", "bus tail", "bus stat",
            "bus clean", "bus sample", "bus sample ping", "bus sample basic-publisher", "bus demo", "bus bench",
            "bus bench ring", "bus bench wakeup", "bus bench transport", "bus bench jmh", "bus stress", "bus daemon",
            "bus run", "bus help", "bus bench help")), everyCommand().keySet().toString());
    }

    @Test
    void everyUsageMessageHasAnExampleAndExitCodes() {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, CommandLine> command : everyCommand().entrySet()) {
            String usage = command.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF);
            if (!usage.contains("Example")) {
                missing.add(command.getKey() + ": no Example");
            }
            if (!usage.contains("Exit codes:") || command.getValue().getCommandSpec().usageMessage().exitCodeList()
                .isEmpty()) {
                missing.add(command.getKey() + ": no Exit codes list");
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void helpPrintsTheExitCodesOfTheCommand() {
        Cli.Result result = Cli.run("", "tail", "--help");
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().contains("Exit codes:"), result.out());
        assertTrue(result.out().matches("(?s).*\\n  130 +Ctrl-C.*"), result.out());
        assertTrue(result.out().contains("./bus tail quotes --hex"), result.out());
    }

    /**
     * picocli formats every line of help text with {@code String.format}: a bare {@code %} (as in "2% of a core")
     * made it print a warning and show the text unformatted. Each line must format as picocli formats it.
     */
    @Test
    void everyHelpLineFormatsWithoutAWarning() {
        List<String> broken = new ArrayList<>();
        for (Map.Entry<String, CommandLine> command : everyCommand().entrySet()) {
            CommandLine.Model.CommandSpec spec = command.getValue().getCommandSpec();
            List<String> lines = new ArrayList<>();
            lines.addAll(List.of(spec.usageMessage().description()));
            lines.addAll(List.of(spec.usageMessage().header()));
            lines.addAll(List.of(spec.usageMessage().footer()));
            spec.options().forEach(option -> lines.addAll(List.of(option.description())));
            spec.positionalParameters().forEach(parameter -> lines.addAll(List.of(parameter.description())));
            for (String line : lines) {
                try {
                    String.format(line);
                } catch (java.util.IllegalFormatException e) {
                    broken.add(command.getKey() + ": " + line + " (" + e + ")");
                }
            }
        }
        assertEquals(List.of(), broken);
    }

    /**
     * Examples are meant to be copied into a shell: a quoted string must close on the line it opens
     * (a {@code \n} in a Java string printed a line break inside {@code printf 'a}).
     */
    @Test
    void everyExampleLineClosesItsQuotes() {
        List<String> broken = new ArrayList<>();
        for (Map.Entry<String, CommandLine> command : everyCommand().entrySet()) {
            String usage = command.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF);
            boolean inExamples = false;
            for (String line : usage.split("\n")) {
                if (line.startsWith("Example")) {
                    inExamples = true;
                    continue;
                }
                if (!inExamples || !line.startsWith("  ")) {
                    inExamples = inExamples && !line.isBlank();
                    continue;
                }
                String code = line.contains("#") ? line.substring(0, line.indexOf('#')) : line;
                if (code.chars().filter(c -> c == '\'').count() % 2 != 0) {
                    broken.add(command.getKey() + ": " + line);
                }
            }
        }
        assertEquals(List.of(), broken);
    }
}
