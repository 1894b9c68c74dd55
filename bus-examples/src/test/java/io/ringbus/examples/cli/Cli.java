package io.ringbus.examples.cli;

import io.ringbus.core.topic.TopicFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import picocli.CommandLine;

/** Runs the real {@code bus} command line, in this JVM or in a new one, for the tests. */
final class Cli {
    private static Path busScript;

    private Cli() {
    }

    /** What a command printed and returned. */
    record Result(int exitCode, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    /** Runs {@code bus ARGS} in this JVM with {@code stdin} as standard input. */
    static Result run(String stdin, String... args) {
        return run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
    }

    static Result run(InputStream stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = BusCommand.newCommandLine(stdin);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Starts {@code bus ARGS} in a new JVM (this JVM's java and class path); stderr is inherited. */
    static Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /**
     * Starts {@code bus ARGS} in a new JVM with the JIT a user's JVM has (C2 too; {@link #start} stops at
     * C1 to start faster), its standard error piped for the test to read.
     */
    static Process startFullyCompiling(String... args) throws IOException {
        List<String> command = new ArrayList<>(javaCommand());
        command.remove("-XX:TieredStopAtLevel=1");
        command.addAll(List.of(args));
        return new ProcessBuilder(command).start();
    }

    /** Starts {@code bus ARGS} in a new JVM (C1 only, as {@link #start}), standard output and error piped. */
    static Process startPiped(String... args) throws IOException {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).start();
    }

    /**
     * Starts {@code bus ARGS} in a new JVM with its standard output going to {@code stdout} (created or
     * truncated, as a shell's {@code >} does); standard input is empty, standard error inherited.
     */
    static Process startTo(Path stdout, String... args) throws IOException {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(stdout.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    }

    /** A script that runs {@code bus} (this JVM's java and class path), made once per test JVM. */
    static synchronized Path busScript() throws IOException {
        if (busScript == null) {
            Path dir = Files.createTempDirectory("ringbus-cli-test-bin-");
            dir.toFile().deleteOnExit();
            Path script = dir.resolve("bus");
            Files.writeString(script, "#!/bin/sh\nexec " + String.join(" ", javaCommand().stream().map(Cli::quote)
                .toList()) + " \"$@\"\n");
            script.toFile().setExecutable(true);
            script.toFile().deleteOnExit();
            busScript = script;
        }
        return busScript;
    }

    private static List<String> javaCommand() {
        return List.of(ProcessHandle.current().info().command().orElseThrow(),
            "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-cp", System.getProperty("java.class.path"),
            BusCommand.class.getName());
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** Runs a bash script (with {@code $BUS} naming {@link #busScript()}); returns its output and status. */
    static Result bash(String script, int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script);
        builder.environment().put("BUS", busScript().toString());
        Process process = builder.start();
        process.getOutputStream().close();
        java.util.concurrent.CompletableFuture<String> err = java.util.concurrent.CompletableFuture.supplyAsync(
            () -> readQuietly(process.getErrorStream()));
        String out = readQuietly(process.getInputStream());
        int code = await(process, timeoutSeconds);
        return new Result(code, out, err.join());
    }

    private static String readQuietly(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Waits for a child to exit; kills it and fails if it takes longer than {@code seconds}. */
    static int await(Process process, int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("child " + process.pid() + " did not finish within " + seconds + " s");
        }
        return process.exitValue();
    }

    /** Kills a child with SIGKILL (as a crash would) and waits until it is gone. */
    static void crash(Process process) throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Waits (up to 60 s: JVMs start slowly on a busy machine) until a snapshot of the topic passes the test. */
    static TopicSnapshot awaitTopic(Path directory, String topic, Predicate<TopicSnapshot> condition)
        throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        TopicSnapshot last = null;
        while (System.nanoTime() < deadline) {
            Path file = TopicFile.pathOf(directory, topic);
            if (Files.exists(file)) {
                try (TopicFile opened = BusDirectory.open(file)) {
                    if (opened != null) {
                        last = TopicSnapshot.of(opened);
                        if (condition.test(last)) {
                            return last;
                        }
                    }
                } catch (RuntimeException notReadyYet) {
                    last = null;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("topic " + topic + " never reached the expected state; last seen: " + last);
    }

    /** A new bus directory path (not created) under /dev/shm, and its parent to delete afterwards. */
    static Path newBusDirectory() throws IOException {
        return Files.createTempDirectory(Path.of("/dev/shm"), "ringbus-cli-test-").resolve("bus");
    }

    static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }
}
