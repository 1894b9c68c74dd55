package io.ringbus.examples.bench.report;

import java.util.Locale;

/** Figures as the benchmarks' logs and tables print them. */
public final class Figures {
    private Figures() {
    }

    /** A rate in messages per second, in millions (in thousands below 0.1 million), for logs and tables. */
    public static String rate(double perSecond) {
        if (perSecond < 1e5) {
            return String.format(Locale.ROOT, "%.2fK", perSecond / 1e3);
        }
        return String.format(Locale.ROOT, "%.2fM", perSecond / 1e6);
    }

    /** Nanoseconds as microseconds, or a dash. */
    public static String nanos(double value) {
        if (!Double.isFinite(value)) {
            return "-";
        }
        double micros = value / 1e3;
        return String.format(Locale.ROOT, micros < 10 ? "%.2f us" : "%.1f us", micros);
    }
}
