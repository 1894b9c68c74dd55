package io.ringbus.examples.bench.ring;

import io.ringbus.examples.bench.report.Comparison;
import io.ringbus.examples.bench.report.Figures;
import io.ringbus.stress.common.Json;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The end of a {@code bus bench ring} run: the side-by-side table, or the same as JSON. */
final class RingReport {
    private static final String ROW = "%-48s %14s %-15s %14s %8s %9s %4s %-31s %s%n";

    private RingReport() {
    }

    static void printTable(PrintStream out, List<Comparison> rows, RingOptions options, double seconds) {
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
            out.printf(ROW, s.name(), figure(s.ringbus(), s.unit()), row.peer(), figure(s.peerFigure(), s.unit()),
                ratio(s.ratio()), s.target(), s.met(), spread(row, options.floorTolerance()), pairs);
            if (row.note() != null) {
                // Figures from the rounds before the peer failed: say why there are fewer of them.
                out.printf("  ^ from the rounds before: %s%n", row.note());
            }
        }
        out.printf("finished in %.0f s%n", seconds);
    }

    static void printJson(PrintStream out, List<Comparison> rows, RingOptions options, double seconds) {
        double tolerance = options.floorTolerance();
        Json json = new Json().open('{')
            .field("floorTolerance").number(tolerance)
            .field("rounds").number(options.rounds())
            .field("messagesPerRun").number(options.messages())
            .field("roundTripsPerRun").number(options.roundTrips())
            .field("capacity").number(options.capacity())
            .field("seconds").decimal(seconds, 1)
            .field("results").open('[');
        for (Comparison row : rows) {
            Comparison.Summary s = row.summarize(tolerance);
            json.open('{')
                .field("benchmark").string(s.name())
                .field("peer").string(row.peer())
                .field("notMeasured").string(row.notMeasured() ? row.note() : null)
                .field("note").string(row.note())
                .field("unit").string(s.unit())
                .field("ringbus").decimal(s.ringbus(), 4)
                .field("peerFigure").decimal(s.peerFigure(), 4)
                .field("ratio").decimal(s.ratio(), 4)
                .field("target").string(s.target())
                .field("met").string(s.met())
                .field("pairsCounted").number(s.qualified())
                .field("pairs").open('[');
            for (Comparison.Pair p : row.pairs()) {
                json.open('{')
                    .field("round").number(p.round())
                    .field("ringbusFloorNs").number(p.ringbusFloor())
                    .field("peerFloorNs").number(p.peerFloor())
                    .field("ringbus").decimal(p.ringbus(), 4)
                    .field("peerFigure").decimal(p.peerFigure(), 4)
                    .field("counted").bool(p.floorsAgree(tolerance))
                    .close('}');
            }
            json.close(']').close('}');
        }
        out.println(json.close(']').close('}'));
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
            return Figures.rate(minMax[0]) + "-" + Figures.rate(minMax[1]);
        }
        return String.format(Locale.ROOT, "%.0f-%.0f", minMax[0], minMax[1]);
    }

    private static String figure(double value, String unit) {
        if (unit.equals("msg/s")) {
            return Figures.rate(value) + " msg/s";
        }
        return String.format(Locale.ROOT, "%.0f %s", value, unit);
    }

    private static String ratio(double ratio) {
        return String.format(Locale.ROOT, ratio >= 0.1 ? "%.2fx" : "%.4fx", ratio);
    }
}
