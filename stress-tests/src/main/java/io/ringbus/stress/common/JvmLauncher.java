package io.ringbus.stress.common;

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
        command.add(classPath());
        command.add(main.getName());
        command.addAll(args);
        return command;
    }

    /**
     * This JVM's class path with every entry made absolute, so a child started in another working
     * directory finds the same classes ({@code java -jar bus-examples/target/ringbus.jar} gives a
     * relative one).
     */
    public static String classPath() {
        StringBuilder absolute = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            if (!absolute.isEmpty()) {
                absolute.append(java.io.File.pathSeparatorChar);
            }
            absolute.append(Path.of(entry).toAbsolutePath());
        }
        return absolute.toString();
    }

    /** The java launcher of this JVM: the same binary runs every child. */
    public static String javaBinary() {
        return ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
