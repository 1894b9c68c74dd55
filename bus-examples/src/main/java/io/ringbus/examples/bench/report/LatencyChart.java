package io.ringbus.examples.bench.report;

import java.util.List;
import java.util.Locale;

/**
 * A hand-written SVG dot chart of latency percentiles: one row per measured variant (a {@code <g
 * class="series">}), a dot per percentile (p50, p90, p99, p99.9, each its own colour and shape, see
 * the legend) on a shared logarithmic time axis, a line from the lowest to the highest. Rows read
 * like the tables: ringbus and its peer next to each other.
 *
 * <pre>
 *              title
 *              legend: o p50  o p90  o p99  o p99.9
 *   variant A  |   o--o-----o------o        |
 *   variant B  |        o--o---o------o     |
 *              +----+----+----+----+----+---+
 *              100 ns  1 us  10 us ...  (log scale)
 * </pre>
 */
final class LatencyChart {
    private static final String[] COLOURS = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a"};
    private static final int LEFT = 300;
    private static final int PLOT_WIDTH = 640;
    private static final int RIGHT = 40;
    private static final int TOP = 80;
    private static final int ROW = 26;
    private static final int BOTTOM = 70;

    private LatencyChart() {
    }

    static String svg(String title, List<LatencySeries> series) {
        double low = Double.POSITIVE_INFINITY;
        double high = 0;
        for (LatencySeries s : series) {
            for (double v : s.values()) {
                if (Double.isFinite(v) && v > 0) {
                    low = Math.min(low, v);
                    high = Math.max(high, v);
                }
            }
        }
        if (high == 0) {
            low = 100;
            high = 100_000;
        }
        int minDecade = (int) Math.floor(Math.log10(low));
        int maxDecade = (int) Math.ceil(Math.log10(high));
        if (maxDecade == minDecade) {
            maxDecade++;
        }
        int width = LEFT + PLOT_WIDTH + RIGHT;
        int plotHeight = Math.max(1, series.size()) * ROW;
        int height = TOP + plotHeight + BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
            + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s"
            + "</text>%n", 10, escape(title)));
        legend(svg);
        Scale scale = new Scale(minDecade, maxDecade);
        axis(svg, scale, plotHeight);
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" transform=\"rotate(-90 %d %d)\""
            + " text-anchor=\"middle\">measured variant</text>%n", 14, TOP + plotHeight / 2, 14, TOP + plotHeight / 2));
        for (int i = 0; i < series.size(); i++) {
            row(svg, scale, series.get(i), TOP + i * ROW + ROW / 2);
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private record Scale(int minDecade, int maxDecade) {
        double x(double nanos) {
            return LEFT + (Math.log10(nanos) - minDecade) / (maxDecade - minDecade) * PLOT_WIDTH;
        }
    }

    private static void legend(StringBuilder svg) {
        int x = LEFT;
        svg.append("<g class=\"legend\">\n");
        for (int i = 0; i < LatencySeries.LABELS.length; i++) {
            marker(svg, i, x + 6, 46);
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"50\">%s</text>%n", x + 16,
                LatencySeries.LABELS[i]));
            x += 80;
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"50\" fill=\"#555\">round trip, one message in"
            + " flight</text>%n", x + 10));
        svg.append("</g>\n");
    }

    private static void axis(StringBuilder svg, Scale scale, int plotHeight) {
        int bottom = TOP + plotHeight;
        svg.append("<g class=\"axis\">\n");
        for (int decade = scale.minDecade(); decade <= scale.maxDecade(); decade++) {
            double value = Math.pow(10, decade);
            double x = scale.x(value);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\""
                + " stroke=\"#bbb\"/>%n",
                x, TOP, x, bottom));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x,
                bottom + 18, duration(value)));
            if (decade < scale.maxDecade()) {
                for (int minor : new int[] {2, 5}) {
                    double mx = scale.x(value * minor);
                    svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\""
                        + " stroke=\"#eee\"/>%n", mx, TOP, mx, bottom));
                }
            }
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
            LEFT, bottom, LEFT + PLOT_WIDTH, bottom));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
            LEFT, TOP, LEFT, bottom));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">round-trip latency"
            + " (log scale)</text>%n", LEFT + PLOT_WIDTH / 2, bottom + 42));
        svg.append("</g>\n");
    }

    private static void row(StringBuilder svg, Scale scale, LatencySeries series, int y) {
        svg.append("<g class=\"series\" data-variant=\"").append(escape(series.name())).append("\">\n");
        svg.append(String.format(Locale.ROOT, "<title>%s: %s</title>%n", escape(series.name()), tooltip(series)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", LEFT - 8,
            y + 4, escape(series.name())));
        double[] values = series.values();
        double first = Double.NaN;
        double last = Double.NaN;
        for (double v : values) {
            if (Double.isFinite(v) && v > 0) {
                first = Double.isNaN(first) ? v : Math.min(first, v);
                last = Double.isNaN(last) ? v : Math.max(last, v);
            }
        }
        if (Double.isNaN(first)) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#888\">not measured</text>%n",
                LEFT + 8, y + 4));
        } else {
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\""
                + " stroke-width=\"2\"/>%n", scale.x(first), y, scale.x(last), y));
            for (int i = 0; i < values.length; i++) {
                if (Double.isFinite(values[i]) && values[i] > 0) {
                    marker(svg, i, scale.x(values[i]), y);
                }
            }
        }
        svg.append("</g>\n");
    }

    /** A percentile's dot: circle, square, diamond, triangle. */
    private static void marker(StringBuilder svg, int percentile, double x, double y) {
        String colour = COLOURS[percentile];
        switch (percentile) {
            case 0 -> svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>%n",
                x, y, colour));
            case 1 -> svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\""
                + " fill=\"%s\"/>%n", x - 4.5, y - 4.5, colour));
            case 2 -> svg.append(String.format(Locale.ROOT, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f"
                + " %.1f,%.1f\""
                + " fill=\"%s\"/>%n", x, y - 6, x + 6, y, x, y + 6, x - 6, y, colour));
            default -> svg.append(String.format(Locale.ROOT, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\""
                + " fill=\"%s\"/>%n", x, y - 6, x + 6, y + 5, x - 6, y + 5, colour));
        }
    }

    private static String tooltip(LatencySeries series) {
        double[] values = series.values();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            text.append(i == 0 ? "" : ", ").append(LatencySeries.LABELS[i]).append(' ')
                .append(Double.isFinite(values[i]) ? duration(values[i]) : "-");
        }
        return text.toString();
    }

    /** Nanoseconds in the unit that reads best: 250 ns, 1.5 us, 40 us, 2 ms, 1 s. */
    static String duration(double nanos) {
        if (nanos < 1e3) {
            return String.format(Locale.ROOT, "%.0f ns", nanos);
        }
        if (nanos < 1e6) {
            return trim(nanos / 1e3) + " \u00b5s";
        }
        if (nanos < 1e9) {
            return trim(nanos / 1e6) + " ms";
        }
        return trim(nanos / 1e9) + " s";
    }

    private static String trim(double value) {
        return value >= 10 || value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value)
            : String.format(Locale.ROOT, "%.1f", value);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
