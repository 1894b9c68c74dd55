package io.ringbus.examples.bench.wakeup;

import io.ringbus.examples.bench.child.BenchException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process that only burns one processor ({@code sh -c 'while :; do :; done'}, what {@code yes > /dev/null}
 * does without the pipe): the "busy" condition of {@link Condition}. Closing it kills it; should the
 * benchmark itself be killed first, it stops by itself after {@link #LIFETIME_SECONDS}.
 */
final class BusyProcess implements AutoCloseable {
    /** Longest it runs, whatever happens to the benchmark: no stray busy loop outlives a killed run by long. */
    static final int LIFETIME_SECONDS = 300;

    private final Process process;

    private BusyProcess(Process process) {
        this.process = process;
    }

    static BusyProcess start() {
        // The loop checks the clock only every 100,000 turns, so nearly all its time is the busy loop itself.
        String script = "end=$(( $(date +%s) + " + LIFETIME_SECONDS + " )); i=0; while :; do i=$((i+1));"
            + " if [ $((i % 100000)) -eq 0 ] && [ $(date +%s) -ge $end ]; then exit 0; fi; done";
        try {
            Process process = new ProcessBuilder(List.of("sh", "-c", script))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
            return new BusyProcess(process);
        } catch (IOException e) {
            throw new BenchException("cannot start the busy process (sh): " + e.getMessage());
        }
    }

    String describe() {
        return "pid " + process.pid() + ", a shell loop";
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
