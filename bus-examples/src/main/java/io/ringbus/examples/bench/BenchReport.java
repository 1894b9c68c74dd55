package io.ringbus.examples.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The end of a run: the side-by-side table, or the same as JSON. */
final class BenchReport {
    private static final String ROW = "%-48s %14s %-15s %14s %8s %9s %4s %-31s %s%n";

    private BenchReport() {
    }

    static void printTable(PrintStream out, List<Comparison> rows, BenchOptions options, double seconds) {
        out.printf("%n== results (medians over the rounds whose floor checks agree within %.0f%%; ratio = ringbus"
            + " / peer) ==%n", options.floorTolerance() * 100);
        out.printf("(spread: lowest-highest figure of the rounds counted, ringbus | peer)%n");
        out.printf(ROW, "benchmark", "ringbus", "peer", "peer's", "ratio", "target", "met", "spread", "pairs counted");
        for (Comparison row : rows) {
            if (row.notMeasured()) {
                out.printf("%-48s %14s %-15s not measured: %s%n", row.name(), "-", row.peer(), row.note());
                continue;
            }
            Comparison.Summary s = row.summarize(options.floorTolerance());
            String pairs = s.qualified() + " of " + s.pairs()
                + (s.qualified() == 0 ? " (none agreed: all used)" : "");
            out.printf(ROW, s.name(), figure(s.ringbus(), s.unit()), row.peer(), figure(s.agrona(), s.unit()),
                ratio(s.ratio()), s.target(), s.met(), spread(row, options.floorTolerance()), pairs);
            if (row.note() != null) {
                // Figures from the rounds before the peer failed: say why there are fewer of them.
                out.printf("  ^ from the rounds before: %s%n", row.note());
            }
        }
        out.printf("finished in %.0f s%n", seconds);
    }

    static void printJson(PrintStream out, List<Comparison> rows, BenchOptions options, double seconds) {
        StringBuilder json = new StringBuilder();
        json.append("{\"floorTolerance\":").append(options.floorTolerance())
            .append(",\"rounds\":").append(options.rounds())
            .append(",\"messagesPerRun\":").append(options.messages())
            .append(",\"roundTripsPerRun\":").append(options.roundTrips())
            .append(",\"capacity\":").append(options.capacity())
            .append(",\"seconds\":").append(String.format(Locale.ROOT, "%.1f", seconds))
            .append(",\"results\":[");
        for (int i = 0; i < rows.size(); i++) {
            Comparison row = rows.get(i);
            Comparison.Summary s = row.summarize(options.floorTolerance());
            json.append(i == 0 ? "" : ",").append("{\"benchmark\":\"").append(s.name())
                .append("\",\"peer\":\"").append(row.peer())
                .append("\",\"notMeasured\":").append(row.notMeasured() ? jsonString(row.note()) : "null")
                .append(",\"note\":").append(row.note() == null ? "null" : jsonString(row.note()))
                .append(",\"unit\":\"").append(s.unit())
                .append("\",\"ringbus\":").append(number(s.ringbus()))
                .append(",\"peerFigure\":").append(number(s.agrona()))
                .append(",\"ratio\":").append(number(s.ratio()))
                .append(",\"target\":\"").append(s.target())
                .append("\",\"met\":\"").append(s.met())
                .append("\",\"pairsCounted\":").append(s.qualified())
                .append(",\"pairs\":[");
            List<Comparison.Pair> pairs = row.pairs();
            for (int j = 0; j < pairs.size(); j++) {
                Comparison.Pair p = pairs.get(j);
                json.append(j == 0 ? "" : ",").append("{\"round\":").append(p.round())
                    .append(",\"ringbusFloorNs\":").append(p.ringbusFloor())
                    .append(",\"peerFloorNs\":").append(p.agronaFloor())
                    .append(",\"ringbus\":").append(number(p.ringbus()))
                    .append(",\"peerFigure\":").append(number(p.agrona()))
                    .append(",\"counted\":").append(p.floorsAgree(options.floorTolerance())).append('}');
            }
            json.append("]}");
        }
        json.append("]}");
        out.println(json);
    }

    /** {@code text} as a JSON string: quotes, backslashes and control characters escaped. */
    private static String jsonString(String text) {
        StringBuilder json = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }

    /** {@code "61.20M-72.40M | 30.10M-33.00M"} for rates, {@code "160-190 | 170-240"} for latencies (ns). */
    static String spread(Comparison row, double tolerance) {
        double[] ringbus = row.spread(tolerance, true);
        double[] peer = row.spread(tolerance, false);
        boolean rate = row.unit().equals("msg/s");
        return range(ringbus, rate) + " | " + range(peer, rate);
    }

    private static String range(double[] minMax, boolean rate) {
        if (rate) {
            return RingBenchCommand.formatRate(minMax[0]) + "-" + RingBenchCommand.formatRate(minMax[1]);
        }
        return String.format(Locale.ROOT, "%.0f-%.0f", minMax[0], minMax[1]);
    }

    private static String figure(double value, String unit) {
        if (unit.equals("msg/s")) {
            return RingBenchCommand.formatRate(value) + " msg/s";
        }
        return String.format(Locale.ROOT, "%.0f %s", value, unit);
    }

    private static String ratio(double ratio) {
        return String.format(Locale.ROOT, ratio >= 0.1 ? "%.2fx" : "%.4fx", ratio);
    }

    private static String number(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.4f", value) : "null";
    }
}
