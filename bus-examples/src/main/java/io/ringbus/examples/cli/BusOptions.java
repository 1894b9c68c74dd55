package io.ringbus.examples.cli;

import io.ringbus.core.BusContext;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every command that touches a bus shares: where the bus lives. Without them the bus is
 * {@code default}, in {@code /dev/shm/ringbus-$USER/default} (or what the {@code ringbus.dir} and
 * {@code ringbus.bus} properties say).
 */
public final class BusOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--dir", paramLabel = "DIR",
        description = "Bus directory (default: /dev/shm/ringbus-$USER/<bus>).")
    Path directory;

    @Option(names = "--bus", paramLabel = "NAME", description = "Bus name, when --dir is not given (default: default).")
    String busName;

    /** Whether {@code --dir} or {@code --bus} was given. */
    boolean given() {
        return directory != null || busName != null;
    }

    /** A concluded context for these options: the directory resolved, nothing created. */
    public BusContext context() {
        if (directory != null && busName != null) {
            throw new ParameterException(command.commandLine(),
                "give --dir or --bus, not both (--dir names the directory itself)");
        }
        BusContext context = new BusContext();
        if (directory != null) {
            context.directory(directory);
        }
        if (busName != null) {
            context.busName(busName);
            try {
                new BusContext().busName(busName).conclude();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(command.commandLine(), "--bus: " + e.getMessage());
            }
        }
        return context.conclude();
    }
}
