package io.ringbus.stress.process;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the harness did when (faults, restarts), so that an anomaly a subscriber reports (a torn
 * message, a gap) can be shown beside the faults just before it. Times are {@link System#nanoTime},
 * the same clock in every process on Linux. Thread-safe; keeps the last 10,000 events.
 */
final class EventLog {
    private static final int KEPT = 10_000;

    private final long origin;
    private final List<long[]> times = new ArrayList<>();
    private final List<String> texts = new ArrayList<>();

    EventLog(long origin) {
        this.origin = origin;
    }

    synchronized void add(String text) {
        if (times.size() == KEPT) {
            times.removeFirst();
            texts.removeFirst();
        }
        times.add(new long[] {System.nanoTime()});
        texts.add(text);
    }

    /** Seconds since the run began, for a nanoTime. */
    String at(long nanoTime) {
        return String.format(Locale.ROOT, "%.3f s", (nanoTime - origin) / 1e9);
    }

    /** The events of the {@code seconds} before {@code nanoTime}, with their times. */
    synchronized String before(long nanoTime, double seconds) {
        List<String> recent = new ArrayList<>();
        for (int i = 0; i < times.size(); i++) {
            long time = times.get(i)[0];
            if (time <= nanoTime && nanoTime - time <= seconds * 1e9) {
                recent.add(at(time) + " " + texts.get(i));
            }
        }
        return recent.isEmpty() ? "no fault in the " + seconds + " s before" : String.join("; ", recent);
    }
}
