package io.ringbus.examples.bench.wakeup;

import io.ringbus.examples.bench.child.BenchException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The C futex ping-pong, the floor of a blocking cross-process wakeup: {@code futex_pingpong.c}
 * (shipped in the jar as source, beside this class) compiled with the machine's {@code gcc} into the
 * benchmark's directory, then run as a process that forks its pong; the two wake each other through
 * one futex word in a mapped file in /dev/shm, sleeping in the kernel every time.
 *
 * <pre>
 *   ping process                 futex word (file in /dev/shm)            pong process (fork)
 *   store 2i+1, FUTEX_WAKE  ----------------->  [u32]  ----------------->  FUTEX_WAIT while 2i
 *   FUTEX_WAIT while 2i+1   <-----------------  [u32]  <-----------------  store 2i+2, FUTEX_WAKE
 * </pre>
 *
 * <p>No gcc (or a failed compile) is not an error: {@link #compile} returns the reason, and the
 * benchmark prints it in place of the row.
 */
final class CFutexPingPong {
    private static final String SOURCE = "futex_pingpong.c";

    private final Path binary;

    private CFutexPingPong(Path binary) {
        this.binary = binary;
    }

    /** Either a compiled program or why there is none. */
    record Compiled(CFutexPingPong program, String reason) {
    }

    /** Compiles the program into {@code directory} with {@code gcc -O2}; never throws for a missing gcc. */
    static Compiled compile(Path directory) {
        Path source = directory.resolve(SOURCE);
        Path binary = directory.resolve("futex_pingpong");
        try (InputStream in = CFutexPingPong.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                return new Compiled(null, SOURCE + " is not on the class path (a build without src/main/c?)");
            }
            Files.write(source, in.readAllBytes());
        } catch (IOException e) {
            return new Compiled(null, "cannot write " + source + ": " + e.getMessage());
        }
        List<String> command = List.of("gcc", "-O2", "-o", binary.toString(), source.toString());
        try {
            Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!gcc.waitFor(60, TimeUnit.SECONDS)) {
                gcc.destroyForcibly();
                return new Compiled(null, "gcc took over 60 s to compile " + SOURCE);
            }
            if (gcc.exitValue() != 0) {
                return new Compiled(null, "gcc failed on " + SOURCE + ": " + firstLine(output));
            }
            return new Compiled(new CFutexPingPong(binary), null);
        } catch (IOException e) {
            return new Compiled(null, "no gcc on PATH (" + e.getMessage() + "); install one (apt-get install gcc)"
                + " to measure the C futex floor");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Compiled(null, "interrupted while compiling " + SOURCE);
        }
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    /**
     * One run: {@code warmup} untimed round trips, then {@code count} timed ones, the futex word in
     * {@code file}; returns p50, p90, p99, p999, max and mean in nanoseconds.
     */
    Map<String, String> run(Path file, long warmup, long count, Duration timeout) {
        List<String> command = List.of(binary.toString(), file.toString(), Long.toString(warmup),
            Long.toString(count));
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new BenchException("futex_pingpong took over " + timeout.toSeconds() + " s; killed it");
            }
            if (process.exitValue() != 0 || !output.startsWith("RESULT")) {
                throw new BenchException("futex_pingpong exited with status " + process.exitValue() + " and printed '"
                    + output + "'; its stderr is above");
            }
            Map<String, String> result = new HashMap<>();
            for (String token : output.substring("RESULT".length()).trim().split(" +")) {
                int eq = token.indexOf('=');
                if (eq > 0) {
                    result.put(token.substring(0, eq), token.substring(eq + 1));
                }
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted while futex_pingpong ran");
        }
    }
}
