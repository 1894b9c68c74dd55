package io.ringbus.stress.process;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar for a terminal, redrawn in place: how far the run is, the rate, the
 * faults injected and the errors found so far.
 *
 * <pre>
 *   [##########..........]  61/120 s   412,118 msg/s   faults 23   errors 0
 * </pre>
 */
public final class ProgressBar {
    private static final int WIDTH = 20;

    private final PrintWriter out;
    private int drawn;

    /** A bar drawn on {@code out} (a terminal). */
    public ProgressBar(PrintWriter out) {
        this.out = out;
    }

    /** Redraws the bar. */
    public void show(Progress progress) {
        double done = progress.totalSeconds() > 0 ? progress.elapsedSeconds() / progress.totalSeconds()
            : progress.targetCount() > 0 ? (double) progress.committed() / progress.targetCount() : 0;
        int filled = (int) Math.round(Math.max(0, Math.min(1, done)) * WIDTH);
        String where = progress.totalSeconds() > 0
            ? String.format(Locale.ROOT, "%4.0f/%.0f s", progress.elapsedSeconds(), progress.totalSeconds())
            : String.format(Locale.ROOT, "%,d/%,d msgs", progress.committed(), progress.targetCount());
        String line = String.format(Locale.ROOT, "[%s%s] %s  %,11.0f msg/s   faults %d   errors %d",
            "#".repeat(filled), ".".repeat(WIDTH - filled), where, progress.messagesPerSecond(), progress.faults(),
            progress.errors());
        out.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
        out.flush();
        drawn = line.length();
    }

    /** Erases the bar, leaving the cursor at the start of an empty line. */
    public void clear() {
        if (drawn > 0) {
            out.print("\r" + " ".repeat(drawn) + "\r");
            out.flush();
            drawn = 0;
        }
    }
}
