package io.ringbus.examples.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a class's {@code main} in a child JVM like this one: the same java binary and class path,
 * native access enabled, the caller's JVM options, then the class and its arguments. The child's
 * standard error goes to ours; its standard input and output are pipes to the caller, for whatever
 * line protocol it speaks (the benchmarks' children, the demo's).
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED [jvmOptions...] -cp [this class path] main [args...]
 * </pre>
 */
public final class JvmLauncher {
    private JvmLauncher() {
    }

    /** Starts {@code main} with {@code args} in a new JVM given {@code jvmOptions}. */
    public static Process start(Class<?> main, List<String> jvmOptions, List<String> args) throws IOException {
        return new ProcessBuilder(command(main, jvmOptions, args))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    }

    /** The command line {@link #start} runs. */
    public static List<String> command(Class<?> main, List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(args);
        return command;
    }

    /** The java launcher of this JVM: the same binary runs every child. */
    public static String javaBinary() {
        return ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
