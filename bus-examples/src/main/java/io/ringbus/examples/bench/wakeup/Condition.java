package io.ringbus.examples.bench.wakeup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The declared condition of a blocking measurement. A futex wakeup costs what the idle processors make
 * it cost: about 40 µs on this VM while its vCPUs are idle (an idle vCPU sleeps deeply and is slow to
 * wake), about 5 µs while a busy process keeps them awake. A figure means nothing without the condition
 * it was taken under, so each is measured, and the floor beside it, under both.
 */
enum Condition {
    /** Nothing added by the benchmark; what else runs on the machine is whatever it found. */
    QUIET("quiet"),
    /** One busy process added beside the measurement ({@link BusyProcess}). */
    BUSY("busy");

    final String label;

    Condition(String label) {
        this.label = label;
    }

    /** What the table says about this condition: what was added, and the load average found. */
    String declare(BusyProcess busy) {
        String load = "load average " + loadAverage() + " (1 min)";
        return this == BUSY && busy != null ? "one busy process added beside, " + busy.describe() + "; " + load
            : "nothing added; " + load;
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return fields[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
