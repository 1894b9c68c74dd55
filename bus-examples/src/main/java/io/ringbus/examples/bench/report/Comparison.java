package io.ringbus.examples.bench.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.DoubleStream;

/**
 * One row of the result table: a figure measured for ringbus and for its peer (Agrona's ring, Chronicle
 * Queue, the raw channel, the C futex: {@link #peer()}) in each round, with floor checks taken before the
 * ringbus run, between the two runs and after the peer's run. A round's pair
 * counts only when all three agree within the tolerance (the VM stayed in one placement through
 * both runs: a placement switch between a check and its run shows up in the next check); the row's figures are the
 * medians over the pairs that count, and its ratio (ringbus / peer) the median of their ratios.
 * When no pair counts, every pair is used and the verdict is "?".
 */
public final class Comparison {
    /**
     * One round: the floor checks before the ringbus run, before the peer's run and after both (ns), and
     * the figure of each.
     */
    public record Pair(int round, long ringbusFloor, long peerFloor, long afterFloor, double ringbus,
        double peerFigure) {
        public boolean floorsAgree(double tolerance) {
            long low = Math.min(ringbusFloor, Math.min(peerFloor, afterFloor));
            long high = Math.max(ringbusFloor, Math.max(peerFloor, afterFloor));
            return low > 0 && high <= low * (1 + tolerance);
        }

        double ratio() {
            return ringbus / peerFigure;
        }

        /**
         * For the run log: a line saying this round's pair is not counted and why, or null when its floors
         * agree.
         */
        public String notCountedLine(String what, double tolerance) {
            if (floorsAgree(tolerance)) {
                return null;
            }
            return String.format(java.util.Locale.ROOT, "round %d  %s: not counted, the floor checks (%d, %d, %d ns)"
                + " differ by more than %.0f%% (the VM moved its vCPUs, or the machine is loaded)", round, what,
                ringbusFloor, peerFloor, afterFloor, tolerance * 100);
        }
    }

    /** What the table prints for this row. */
    public record Summary(String name, String unit, double ringbus, double peerFigure, double ratio, String target,
        String met, int qualified, int pairs) {
    }

    private final String name;
    private final String peer;
    private final String unit;
    private final boolean higherIsBetter;
    private final double target;
    private final List<Pair> pairs = new ArrayList<>();
    /** Why the peer has no figures (it could not run) or fewer rounds than asked (it failed mid-run), or null. */
    private volatile String note;

    /**
     * @param peer what ringbus is measured against in this row
     * @param target the ratio to meet, or {@code NaN} for a row shown for information only
     */
    public Comparison(String name, String peer, String unit, boolean higherIsBetter, double target) {
        this.name = name;
        this.peer = peer;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
        this.target = target;
    }

    /** Whether the peer has no figure at all (it could not run, or failed before its first round ended). */
    public boolean notMeasured() {
        return note != null && pairs.isEmpty();
    }

    public void add(Pair pair) {
        pairs.add(pair);
    }

    public List<Pair> pairs() {
        return List.copyOf(pairs);
    }

    public String name() {
        return name;
    }

    public String peer() {
        return peer;
    }

    /** Why this row's peer was not measured, or was measured in fewer rounds than asked; or null. */
    public String note() {
        return note;
    }

    public void note(String why) {
        this.note = why;
    }

    public String unit() {
        return unit;
    }

    public Summary summarize(double tolerance) {
        List<Pair> used = pairs.stream().filter(p -> p.floorsAgree(tolerance)).toList();
        int qualified = used.size();
        if (used.isEmpty()) {
            used = pairs;
        }
        double ringbus = median(used.stream().mapToDouble(Pair::ringbus).toArray());
        double peerFigure = median(used.stream().mapToDouble(Pair::peerFigure).toArray());
        double ratio = median(used.stream().mapToDouble(Pair::ratio).toArray());
        String targetText = "-";
        String met = "-";
        if (!Double.isNaN(target)) {
            targetText = String.format("%s %.2fx", higherIsBetter ? ">=" : "<=", target);
            boolean ok = higherIsBetter ? ratio >= target : ratio <= target;
            met = qualified == 0 ? "?" : ok ? "yes" : "no";
        }
        return new Summary(name, unit, ringbus, peerFigure, ratio, targetText, met, qualified, pairs.size());
    }

    /**
     * The spread between the rounds {@link #summarize} uses: the lowest and highest per-round figure of
     * ringbus (when {@code ringbus}) or of the peer, as {@code {min, max}}; NaNs when there are no pairs.
     */
    public double[] spread(double tolerance, boolean ringbus) {
        List<Pair> used = pairs.stream().filter(p -> p.floorsAgree(tolerance)).toList();
        if (used.isEmpty()) {
            used = pairs;
        }
        double[] values = used.stream().mapToDouble(ringbus ? Pair::ringbus : Pair::peerFigure).toArray();
        if (values.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {Arrays.stream(values).min().getAsDouble(), Arrays.stream(values).max().getAsDouble()};
    }

    /**
     * The median of every floor check of the pairs {@link #summarize} uses (all pairs when none
     * agree), in nanoseconds: the placement the row's figures were measured in.
     */
    public double floorMedian(double tolerance) {
        List<Pair> used = pairs.stream().filter(p -> p.floorsAgree(tolerance)).toList();
        if (used.isEmpty()) {
            used = pairs;
        }
        return median(used.stream()
            .flatMapToDouble(p -> DoubleStream.of(p.ringbusFloor(), p.peerFloor(), p.afterFloor()))
            .toArray());
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
