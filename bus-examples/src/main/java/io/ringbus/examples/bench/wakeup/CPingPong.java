package io.ringbus.examples.bench.wakeup;

import io.ringbus.examples.bench.child.BenchException;
import io.ringbus.examples.bench.child.BenchFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A C ping-pong between two processes, the floor of a wakeup on this machine: the source (shipped in the
 * jar beside this class) compiled with the machine's {@code gcc} into the benchmark's directory, then run
 * as a process that forks its pong.
 *
 * <ul>
 *   <li>{@link Program#FUTEX}, {@code futex_pingpong.c}, the floor of the BLOCKING mode: the two wake each
 *       other through one futex word in a mapped file in /dev/shm, sleeping in the kernel every time.
 * <pre>
 *   ping process                 futex word (file in /dev/shm)            pong process (fork)
 *   store 2i+1, FUTEX_WAKE  ----------------->  [u32]  ----------------->  FUTEX_WAIT while 2i
 *   FUTEX_WAIT while 2i+1   <-----------------  [u32]  <-----------------  store 2i+2, FUTEX_WAKE
 * </pre></li>
 *   <li>{@link Program#SIGNAL}, {@code signal_pingpong.c}, the floor of the SIGNAL mode: {@code kill} and
 *       {@code sigwaitinfo} on a blocked SIGUSR1, no handler.</li>
 * </ul>
 *
 * <p>No gcc (or a failed compile) is not an error: {@link #compile} returns the reason, and the
 * benchmark prints it in place of the row.
 */
final class CPingPong {
    /** The C programs: their source file in the jar, and whether they take a file for a shared word. */
    enum Program {
        FUTEX("futex_pingpong", true),
        SIGNAL("signal_pingpong", false);

        private final String name;
        private final boolean takesFile;

        Program(String name, boolean takesFile) {
            this.name = name;
            this.takesFile = takesFile;
        }
    }

    private static final AtomicInteger RUNS = new AtomicInteger();

    private final Program program;
    private final Path binary;

    private CPingPong(Program program, Path binary) {
        this.program = program;
        this.binary = binary;
    }

    /** Either a compiled program or why there is none. */
    record Compiled(CPingPong program, String reason) {
    }

    /** Compiles the program into {@code directory} with {@code gcc -O2}; never throws for a missing gcc. */
    static Compiled compile(Program program, Path directory) {
        String sourceName = program.name + ".c";
        Path source = directory.resolve(sourceName);
        Path binary = directory.resolve(program.name);
        try (InputStream in = CPingPong.class.getResourceAsStream(sourceName)) {
            if (in == null) {
                return new Compiled(null, sourceName + " is not on the class path (a build without src/main/c?)");
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
                return new Compiled(null, "gcc took over 60 s to compile " + sourceName);
            }
            if (gcc.exitValue() != 0) {
                return new Compiled(null, "gcc failed on " + sourceName + ": " + firstLine(output));
            }
            return new Compiled(new CPingPong(program, binary), null);
        } catch (IOException e) {
            return new Compiled(null, "no gcc on PATH (" + e.getMessage() + "); install one (apt-get install gcc)"
                + " to measure the C floor");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Compiled(null, "interrupted while compiling " + sourceName);
        }
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    /**
     * One run: {@code warmup} untimed round trips, then {@code count} timed ones, a futex word in a new
     * file of {@code files}; returns p50, p90, p99, p999, max and mean in nanoseconds.
     */
    Map<String, String> run(BenchFiles files, long warmup, long count, Duration timeout) {
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        if (program.takesFile) {
            command.add(files.zeroedFile(program.name + "-" + RUNS.incrementAndGet(), 4096).toString());
        }
        command.add(Long.toString(warmup));
        command.add(Long.toString(count));
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new BenchException(program.name + " took over " + timeout.toSeconds() + " s; killed it");
            }
            if (process.exitValue() != 0 || !output.startsWith("RESULT")) {
                throw new BenchException(program.name + " exited with status " + process.exitValue() + " and printed '"
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
            throw new BenchException("interrupted while " + program.name + " ran");
        }
    }
}
