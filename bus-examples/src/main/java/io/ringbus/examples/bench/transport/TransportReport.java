package io.ringbus.examples.bench.transport;

import io.ringbus.examples.bench.report.Comparison;
import io.ringbus.examples.bench.report.Figures;
import io.ringbus.stress.common.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The end of a {@code bus bench transport} run: one table with a row per path and measure (ringbus,
 * the raw channel, their ratio, the target), then the shared-memory path against the Unix socket
 * path; or the same as JSON.
 */
final class TransportReport {
    /** Target: the shm path's round trip at least this many times faster than the Unix socket path's. */
    static final double SHM_ROUND_TRIP_FACTOR = 50;
    /** Target: the shm path's throughput at least this many times the Unix socket path's. */
    static final double SHM_THROUGHPUT_FACTOR = 10;

    /** What ringbus is compared with on each path: the raw JDK channel of the same kind. */
    static final String RAW_PEER = "raw channel";

    private static final String STAGED_ROW = "%-26s %-20s %-22s %-22s %-22s %-12s %-16s %s%n";
    private static final String ROW = "%-26s %-22s %-22s %-22s %-17s %-9s %-4s %8s  %s%n";

    /** What was measured for one variant; either part may be null (not measured). */
    record Result(TransportVariant variant, TransportPingPong.Rows roundTrip, TransportThroughput.Rows throughput) {
    }

    /**
     * The shm path against the Unix socket path: how many times faster, per measure; {@code targeted} when
     * the message size is the one the targets are set for.
     */
    record Factor(TransportVariant shm, TransportVariant unix, double roundTrip, double publish, double subscribe,
        boolean targeted) {
        String roundTripMet() {
            return Double.isNaN(roundTrip) || !targeted ? "-" : roundTrip >= SHM_ROUND_TRIP_FACTOR ? "yes" : "no";
        }

        String throughputMet() {
            if (Double.isNaN(publish) || !targeted) {
                return "-";
            }
            double worse = Double.isNaN(subscribe) ? publish : Math.min(publish, subscribe);
            return worse >= SHM_THROUGHPUT_FACTOR ? "yes" : "no";
        }
    }

    private TransportReport() {
    }

    static void printTable(PrintWriter out, List<Result> results, TransportOptions options, double seconds) {
        double tolerance = options.floorTolerance();
        out.printf("%n== results, %d-byte messages: medians over the rounds whose floor checks agree within %.0f%%;"
            + " ratio = ringbus / raw channel%s ==%n", options.size(), tolerance * 100,
            options.targeted() ? "" : "; the targets are for " + TransportOptions.TARGET_SIZE + "-byte messages");
        out.printf(ROW, "path", "measure", "ringbus", "raw", "ratio", "target", "met", "floor", "rounds counted");
        for (Result result : results) {
            String path = result.variant().label();
            if (result.roundTrip() != null) {
                Comparison.Summary p50 = result.roundTrip().p50().summarize(tolerance);
                Comparison.Summary p99 = result.roundTrip().p99().summarize(tolerance);
                out.printf(ROW, path, "round trip p50 | p99", micros(p50.ringbus(), p99.ringbus()),
                    micros(p50.peerFigure(), p99.peerFigure()), ratio(p50.ratio()) + " | " + ratio(p99.ratio()),
                    p50.target(), p50.met(), floor(result.roundTrip().p50(), tolerance), counted(p50));
            }
            if (result.throughput() != null) {
                throughputRow(out, path, result.throughput().publish(), options);
                if (result.throughput().subscribe() != null) {
                    throughputRow(out, path, result.throughput().subscribe(), options);
                }
            }
        }
        printStaged(out, results, options);
        List<Factor> factors = factors(results, options);
        if (!factors.isEmpty()) {
            out.printf("%nshm against unix (ringbus over each; target: round trip at least %.0fx faster, throughput at"
                + " least %.0fx):%n", SHM_ROUND_TRIP_FACTOR, SHM_THROUGHPUT_FACTOR);
            for (Factor factor : factors) {
                out.printf("  %-13s vs %-26s round trip %s faster (met: %s)   throughput %s publish, %s subscribe"
                    + " (met: %s)%n", factor.shm().label(), factor.unix().label(), times(factor.roundTrip()),
                    factor.roundTripMet(), times(factor.publish()), times(factor.subscribe()), factor.throughputMet());
            }
        }
        out.printf("finished in %.0f s%n", seconds);
        out.flush();
    }

    /**
     * The three-stage raw peers' table, when they were measured: per path and measure, ringbus, the raw
     * channel with three stages, the plain raw channel, then raw-3 / raw (what the machine allows three stages
     * against two) and ringbus / raw-3 (what is ringbus's own), each the median of its rounds' ratios.
     */
    private static void printStaged(PrintWriter out, List<Result> results, TransportOptions options) {
        boolean any = results.stream().anyMatch(r -> r.roundTrip() != null && r.roundTrip().ceiling() != null
            || r.throughput() != null && r.throughput().staged() != null);
        if (!any) {
            return;
        }
        out.printf("%nthree stages on the raw side too (a thread hand-off through an Agrona ring, as the bridge adds"
            + " one); raw-3 / raw = the ceiling of three stages on this machine, ringbus / raw-3 = ringbus's own:%n");
        out.printf(STAGED_ROW, "path", "measure", "ringbus", "raw, 3 stages", "raw", "raw-3 / raw", "ringbus / raw-3",
            "rounds counted");
        for (Result result : results) {
            String path = result.variant().label();
            if (result.roundTrip() != null && result.roundTrip().ceiling() != null) {
                stagedRow(out, path, "round trip p50", result.roundTrip().ceiling(), result.roundTrip().staged(),
                    options, true);
            }
            TransportThroughput.Staged staged = result.throughput() == null ? null : result.throughput().staged();
            if (staged != null) {
                stagedRow(out, path, "publish, batched", staged.publishCeiling(), staged.publish(), options, false);
                stagedRow(out, path, "subscribe, batched", staged.subscribeCeiling(), staged.subscribe(), options,
                    false);
            }
        }
    }

    private static void stagedRow(PrintWriter out, String path, String measure, Comparison ceiling,
        Comparison staged, TransportOptions options, boolean nanos) {
        Comparison.Summary c = ceiling.summarize(options.floorTolerance());
        Comparison.Summary s = staged.summarize(options.floorTolerance());
        out.printf(STAGED_ROW, path, measure, figure(s.ringbus(), nanos, options), figure(c.ringbus(), nanos, options),
            figure(c.peerFigure(), nanos, options), ratio(c.ratio()), ratio(s.ratio()),
            c.qualified() + "+" + s.qualified() + " of " + (c.pairs() + s.pairs()));
    }

    private static String figure(double value, boolean nanos, TransportOptions options) {
        if (!Double.isFinite(value)) {
            return "-";
        }
        return nanos ? Figures.nanos(value) : rate(value, options.size());
    }

    private static void throughputRow(PrintWriter out, String path, Comparison row, TransportOptions options) {
        Comparison.Summary s = row.summarize(options.floorTolerance());
        String measure = s.name().equals("throughput") ? s.name() : s.name() + ", batched";
        out.printf(ROW, path, measure, rate(s.ringbus(), options.size()),
            rate(s.peerFigure(), options.size()), ratio(s.ratio()), s.target(), s.met(),
            floor(row, options.floorTolerance()), counted(s));
    }

    /** Every shm variant against every unix variant whose peer runs in the bridge. */
    static List<Factor> factors(List<Result> results, TransportOptions options) {
        double tolerance = options.floorTolerance();
        List<Factor> factors = new ArrayList<>();
        for (Result shm : results) {
            if (shm.variant().via() != TransportVariant.Via.SHM) {
                continue;
            }
            for (Result unix : results) {
                if (unix.variant().via() != TransportVariant.Via.UNIX
                    || unix.variant().peerAt() != TransportVariant.PeerAt.BRIDGE) {
                    continue;
                }
                double roundTrip = Double.NaN;
                if (shm.roundTrip() != null && unix.roundTrip() != null) {
                    roundTrip = unix.roundTrip().p50().summarize(tolerance).ringbus()
                        / shm.roundTrip().p50().summarize(tolerance).ringbus();
                }
                double publish = Double.NaN;
                double subscribe = Double.NaN;
                if (shm.throughput() != null && unix.throughput() != null) {
                    double shmRate = shm.throughput().publish().summarize(tolerance).ringbus();
                    publish = shmRate / unix.throughput().publish().summarize(tolerance).ringbus();
                    subscribe = shmRate / unix.throughput().subscribe().summarize(tolerance).ringbus();
                }
                factors.add(new Factor(shm.variant(), unix.variant(), roundTrip, publish, subscribe,
                    options.targeted()));
            }
        }
        return factors;
    }

    static void printJson(PrintWriter out, List<Result> results, TransportOptions options, double seconds) {
        double tolerance = options.floorTolerance();
        Json json = new Json().open('{')
            .field("size").number(options.size())
            .field("capacity").number(options.capacity())
            .field("rounds").number(options.rounds())
            .field("bridgeWakeup").string(options.bridgeWakeup().label())
            .field("floorTolerance").number(tolerance)
            .field("seconds").decimal(seconds, 1)
            .field("results").open('[');
        for (Result result : results) {
            List<Comparison> rows = new ArrayList<>();
            if (result.roundTrip() != null) {
                TransportPingPong.Rows rtt = result.roundTrip();
                rows.addAll(List.of(rtt.p50(), rtt.p90(), rtt.p99(), rtt.p999()));
            }
            if (result.throughput() != null) {
                rows.add(result.throughput().publish());
                if (result.throughput().subscribe() != null) {
                    rows.add(result.throughput().subscribe());
                }
            }
            // the three-stage rows: measures named "..., raw3 vs raw" ("ringbus" holds raw3's figure) and
            // "..., ringbus vs raw3" ("raw" holds raw3's)
            if (result.roundTrip() != null && result.roundTrip().ceiling() != null) {
                rows.addAll(List.of(result.roundTrip().ceiling(), result.roundTrip().staged()));
            }
            TransportThroughput.Staged staged = result.throughput() == null ? null : result.throughput().staged();
            if (staged != null) {
                rows.addAll(List.of(staged.publishCeiling(), staged.publish(), staged.subscribeCeiling(),
                    staged.subscribe()));
            }
            for (Comparison row : rows) {
                row(json, result.variant(), row, tolerance);
            }
        }
        json.close(']').field("shmVsUnix").open('[');
        for (Factor f : factors(results, options)) {
            json.open('{')
                .field("shm").string(f.shm().label())
                .field("unix").string(f.unix().label())
                .field("roundTripFactor").decimal(f.roundTrip(), 4)
                .field("publishFactor").decimal(f.publish(), 4)
                .field("subscribeFactor").decimal(f.subscribe(), 4)
                .field("roundTripMet").string(f.roundTripMet())
                .field("throughputMet").string(f.throughputMet())
                .close('}');
        }
        out.println(json.close(']').close('}'));
        out.flush();
    }

    private static void row(Json json, TransportVariant variant, Comparison row, double tolerance) {
        Comparison.Summary s = row.summarize(tolerance);
        json.open('{')
            .field("path").string(variant.via().label())
            .field("wait").string(variant.waitMode().label())
            .field("peer").string(variant.via().isStream() ? variant.peerAt().label() : "process")
            .field("measure").string(s.name())
            .field("unit").string(s.unit())
            .field("ringbus").decimal(s.ringbus(), 4)
            .field("raw").decimal(s.peerFigure(), 4)
            .field("ratio").decimal(s.ratio(), 4)
            .field("target").string(s.target())
            .field("met").string(s.met())
            .field("floorNs").decimal(row.floorMedian(tolerance), 4)
            .field("pairsCounted").number(s.qualified())
            .field("pairs").open('[');
        for (Comparison.Pair p : row.pairs()) {
            json.open('{')
                .field("round").number(p.round())
                .field("ringbusFloorNs").number(p.ringbusFloor())
                .field("rawFloorNs").number(p.peerFloor())
                .field("afterFloorNs").number(p.afterFloor())
                .field("ringbus").decimal(p.ringbus(), 4)
                .field("raw").decimal(p.peerFigure(), 4)
                .field("counted").bool(p.floorsAgree(tolerance))
                .close('}');
        }
        json.close(']').close('}');
    }

    private static String micros(double p50, double p99) {
        if (!Double.isFinite(p50)) {
            return "-";
        }
        return Figures.nanos(p50).replace(" us", "") + " | " + Figures.nanos(p99);
    }

    /** Payload megabytes per second (10^6 bytes) at {@code rate} messages of {@code size} bytes. */
    static String megabytes(double rate, int size) {
        return String.format(Locale.ROOT, "%.1f MB/s", rate * size / 1e6);
    }

    private static String rate(double rate, int size) {
        if (!Double.isFinite(rate)) {
            return "-";
        }
        return Figures.rate(rate) + " " + megabytes(rate, size);
    }

    private static String ratio(double ratio) {
        if (!Double.isFinite(ratio)) {
            return "-";
        }
        return String.format(Locale.ROOT, ratio >= 0.1 ? "%.2fx" : "%.3fx", ratio);
    }

    private static String times(double factor) {
        return Double.isFinite(factor) ? String.format(Locale.ROOT, "%.1fx", factor) : "-";
    }

    private static String floor(Comparison row, double tolerance) {
        double floor = row.floorMedian(tolerance);
        return Double.isFinite(floor) ? String.format(Locale.ROOT, "%.0f ns", floor) : "-";
    }

    private static String counted(Comparison.Summary s) {
        return s.qualified() + " of " + s.pairs() + (s.qualified() == 0 ? " (none agreed: all used)" : "");
    }
}
