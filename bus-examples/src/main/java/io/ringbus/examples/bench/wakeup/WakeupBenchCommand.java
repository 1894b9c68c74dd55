package io.ringbus.examples.bench.wakeup;

import io.ringbus.examples.bench.child.BenchCleanup;
import io.ringbus.examples.bench.child.BenchException;
import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.child.ChildJvm;
import io.ringbus.examples.bench.floor.FloorCheck;
import io.ringbus.examples.bench.report.Comparison;
import io.ringbus.examples.bench.report.Figures;
import io.ringbus.examples.bench.report.LatencySeries;
import io.ringbus.examples.bench.report.ReportOptions;
import io.ringbus.examples.bench.report.ReportSection;
import io.ringbus.examples.support.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bus bench wakeup}: what each way of waiting costs. For each {@link io.ringbus.core.WakeupMode}
 * two JVMs ping-pong 64-byte messages over two topics of a bus in /dev/shm, both sides waiting in
 * {@code Subscriber.await}; then a blocking subscriber waits with no traffic and reports its CPU use.
 *
 * <p>The SPIN mode is measured beside the plain loop it replaces, a spin on {@code Subscriber.poll}: rounds
 * alternate the two, each after a {@link FloorCheck}, and the table gives spin / poll per percentile with
 * the target (p50 and p99.9 at most {@value #SPIN_TARGET}x).
 *
 * <p>The blocking and signal modes are measured beside their floors, C ping-pongs ({@link CPingPong}: a
 * futex one, a {@code kill}/{@code sigwaitinfo} one), under two declared conditions, because a blocking
 * wakeup costs what the idle processors make it cost: {@link Condition#QUIET} (nothing added by the
 * benchmark; the load average it found is printed) and {@link Condition#BUSY} (one busy process added
 * beside, which keeps the vCPUs awake). Per condition, rounds alternate a ringbus run and a C run, each
 * after a {@link FloorCheck}, and the table gives ringbus / C per percentile with the targets (blocking:
 * p50 at most {@value #FUTEX_TARGET}x, p99.9 at most {@value #FUTEX_TAIL_TARGET}x; signal: shown only).
 */
@Command(name = "wakeup",
    mixinStandardHelpOptions = true,
    description = {"Round trip of the bus per wakeup mode (spin, blocking, signal), two JVMs, 64-byte messages,"
            + " each through Subscriber.await: the spin mode interleaved with a plain Subscriber.poll loop, the"
            + " blocking mode with a C futex ping-pong and the signal mode with a C kill/sigwaitinfo ping-pong"
            + " (compiled with the machine's gcc, skipped without), each under two conditions: quiet (nothing"
            + " added; the load average found is printed) and busy (one busy process added beside, which keeps"
            + " idle vCPUs from sleeping deeply); and the CPU an idle blocking subscriber uses.",
        "Takes about a minute (--quick: under one, also with two busy processes beside it); a run stops at 8 s"
            + " with fewer round trips on a machine too loaded to keep up."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":the table was printed",
        "1:a child JVM failed, or --round-trips / --idle-seconds out of range; the one-line message says which",
        ExitCodes.USAGE,
        ExitCodes.SIGNALS},
    footer = {"", "Example: ./bus bench wakeup --round-trips 20000"})
public final class WakeupBenchCommand implements Callable<Integer> {
    /** Target: ringbus's blocking median round trip at most this multiple of the C futex ping-pong's. */
    static final double FUTEX_TARGET = 1.2;
    /** Target: ringbus's blocking p99.9 round trip at most this multiple of the C futex ping-pong's. */
    static final double FUTEX_TAIL_TARGET = 3.0;
    /** Target: a SPIN await's round trip, p50 and p99.9, at most this multiple of the poll loop's. */
    static final double SPIN_TARGET = 1.2;
    /** SPIN and the poll loop run this many times the round trips of a blocking run: they are cheap, and
     * a p99.9 of a few thousand samples is a handful of them. */
    static final int SPIN_COUNT_FACTOR = 20;
    /** Longest a run may take: on a machine too loaded to keep up it measures fewer round trips instead. */
    static final long RUN_BUDGET_MILLIS = 8_000;
    /** Round trips of the unrecorded warm-up of each ringbus pair (as the ring bench's ping-pong: 100,000). */
    static final long WARMUP_ROUND_TRIPS = 100_000;
    private static final String[] PERCENTILES = {"p50", "p90", "p99", "p999"};
    private static final String ROW = "%-24s %12s %12s %8s %9s %4s %8s  %s%n";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ReportOptions report = new ReportOptions();

    @Option(names = "--round-trips", description = "Measured round trips per run (default: 20000; --quick 5000;"
        + " signal mode does a quarter).")
    Long roundTrips;

    @Option(names = "--rounds", description = "Interleaved ringbus / C rounds per mode and condition (default: 5;"
        + " --quick 3).")
    Integer rounds;

    @Option(names = "--idle-seconds", description = "How long the idle subscriber waits (default: 3; --quick 1).")
    Long idleSeconds;

    @Option(names = "--floor-tolerance", paramLabel = "FRACTION", defaultValue = "0.30",
        description = "How far apart a round's floor checks may be for the round to count (default ${DEFAULT-VALUE}).")
    double floorTolerance;

    @Option(names = "--quick", description = "Fewer and shorter runs: under a minute.")
    boolean quick;

    /** Where this benchmark's report section goes: {@code bus bench all} collects it with the others'. */
    public ReportOptions report() {
        return report;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long count = roundTrips != null ? roundTrips : quick ? 5_000 : 20_000;
        int roundCount = rounds != null ? rounds : quick ? 3 : 5;
        long idle = idleSeconds != null ? idleSeconds : quick ? 1 : 3;
        if (count < 100 || idle < 1 || roundCount < 1) {
            err.println("bench wakeup: --round-trips must be at least 100, --idle-seconds and --rounds at least 1");
            err.flush();
            return 2;
        }
        BenchFiles files;
        try {
            files = BenchFiles.create();
        } catch (UncheckedIOException e) {
            err.println("bench wakeup: " + e.getMessage());
            err.flush();
            return 1;
        }
        BenchCleanup cleanup = BenchCleanup.register("bench-wakeup", files);
        long started = System.nanoTime();
        try {
            Duration timeout = Duration.ofMinutes(3);
            CPingPong.Compiled futex = CPingPong.compile(CPingPong.Program.FUTEX, files.directory("c-futex"));
            CPingPong.Compiled signalPeer = CPingPong.compile(CPingPong.Program.SIGNAL, files.directory("c-signal"));
            out.printf("bench wakeup: 64-byte round trips between two JVMs per wakeup mode, %,d per run; blocking"
                + " and signal interleaved with their C ping-pongs over %d rounds, quiet and busy%n", count,
                roundCount);
            out.printf("  java %s, %d CPUs; files in %s; C peers: %s%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), files.directory(),
                futex.program() != null && signalPeer.program() != null ? "compiled with gcc"
                    : "skipped (" + (futex.program() == null ? futex.reason() : signalPeer.reason()) + ")");
            out.flush();
            List<String> modeRows = new ArrayList<>();
            List<LatencySeries> series = new ArrayList<>();
            Map<Condition, List<Comparison>> versus = new EnumMap<>(Condition.class);
            Map<Condition, String> declared = new EnumMap<>(Condition.class);
            String idleCpu;
            Spin spin;
            try (FloorCheck floor = FloorCheck.start(files, 5_000, timeout)) {
                spin = spinVersusPoll(files, floor, count * SPIN_COUNT_FACTOR, roundCount, timeout, out);
                modeRows.add(modeRow("spin (await)", spin.spin(), count * SPIN_COUNT_FACTOR));
                modeRows.add(modeRow("poll loop", spin.poll(), count * SPIN_COUNT_FACTOR));
                series.add(series("ringbus spin", spin.spin()));
                series.add(series("ringbus poll loop", spin.poll()));
                for (Condition condition : Condition.values()) {
                    try (BusyProcess busy = condition == Condition.BUSY ? BusyProcess.start() : null) {
                        declared.put(condition, condition.declare(busy));
                        out.println(condition.label + ": " + declared.get(condition));
                        List<Comparison> rows = new ArrayList<>();
                        Versus blocking = versusC(files, "BLOCKING", futex, floor, count, roundCount, timeout, out,
                            condition);
                        Versus signal = versusC(files, "SIGNAL", signalPeer, floor, Math.max(100, count / 4),
                            roundCount, timeout, out, condition);
                        addRows(modeRows, series, "blocking", "C futex", blocking, futex, count, condition);
                        addRows(modeRows, series, "signal", "C kill/sigwait", signal, signalPeer,
                            Math.max(100, count / 4), condition);
                        rows.addAll(blocking.rows());
                        rows.addAll(signal.rows());
                        versus.put(condition, rows);
                    }
                }
                idleCpu = idleCpu(files, idle);
            }
            StringWriter tableText = new StringWriter();
            PrintWriter table = new PrintWriter(tableText);
            table.printf("%-26s %10s %10s %10s %10s %12s   %s%n", "mode", "p50 ns", "p90 ns", "p99 ns", "p99.9 ns",
                "max ns", "runs");
            modeRows.forEach(table::println);
            table.println("idle blocking subscriber: " + idleCpu + "% of one core over " + idle + " s");
            printVersus(table, "spin await vs poll loop", "spin await", "poll loop", spin.rows());
            for (Condition condition : Condition.values()) {
                List<Comparison> rows = versus.get(condition);
                if (rows != null && rows.stream().anyMatch(row -> !row.notMeasured())) {
                    printVersus(table, "blocking and signal vs C, " + condition.label + " ("
                        + declared.get(condition) + ")", "ringbus", "C", rows);
                }
            }
            table.flush();
            out.println();
            out.print(tableText);
            out.printf("finished in %.0f s%n", (System.nanoTime() - started) / 1e9);
            String written = report.deliver(new ReportSection("bench wakeup", ReportOptions.commandLine(spec),
                tableText.toString(), series));
            if (written != null) {
                out.println(written);
            }
            out.flush();
            return 0;
        } catch (BenchException | UncheckedIOException e) {
            out.flush();
            err.println("bench wakeup: " + e.getMessage());
            err.flush();
            return 1;
        } finally {
            cleanup.close();
        }
    }

    /** Says in the run log when a round's pair is not counted (its floor checks disagree). */
    private void logCounted(PrintWriter out, Comparison row, int round, String what) {
        Comparison.Pair pair = row.pairs().get(round - 1);
        String line = pair.notCountedLine(what, floorTolerance);
        if (line != null) {
            out.println(line);
        }
    }

    /** One ratio table: medians over the rounds whose floor checks agree, ratio = left / right. */
    private void printVersus(PrintWriter table, String title, String left, String right, List<Comparison> rows) {
        table.printf("%n%s (medians over rounds whose floor checks agree within %.0f%%; ratio = %s / %s):%n", title,
            floorTolerance * 100, left, right);
        table.printf(ROW, "measure", left, right, "ratio", "target", "met", "floor", "rounds counted");
        for (Comparison row : rows) {
            Comparison.Summary s = row.summarize(floorTolerance);
            table.printf(ROW, s.name(), Figures.nanos(s.ringbus()), Figures.nanos(s.peerFigure()),
                String.format(Locale.ROOT, "%.2fx", s.ratio()), s.target(), s.met(),
                Figures.nanos(row.floorMedian(floorTolerance)), s.qualified() + " of " + s.pairs()
                    + (s.qualified() == 0 ? " (none agreed: all used)" : ""));
        }
    }

    private static String modeRow(String name, Map<String, String> result, long count) {
        return String.format(Locale.ROOT, "%-26s %,10d %,10d %,10d %,10d %,12d   %s", name,
            Long.parseLong(result.get("p50")), Long.parseLong(result.get("p90")), Long.parseLong(result.get("p99")),
            Long.parseLong(result.get("p999")), Long.parseLong(result.get("max")),
            result.getOrDefault("runs", "1") + " x " + String.format(Locale.ROOT, "%,d", count) + " round trips");
    }

    private static LatencySeries series(String name, Map<String, String> result) {
        return new LatencySeries(name, Double.parseDouble(result.get("p50")), Double.parseDouble(result.get("p90")),
            Double.parseDouble(result.get("p99")), Double.parseDouble(result.get("p999")));
    }

    /** A mode's median run (by p50), the C peer's (null when skipped), and the ratio rows (ringbus / C). */
    private record Versus(Map<String, String> ringbus, Map<String, String> peer, List<Comparison> rows) {
    }

    /** The mode rows and chart series of one mode and its C peer under one condition. */
    private static void addRows(List<String> modeRows, List<LatencySeries> series, String mode, String peerName,
        Versus versus, CPingPong.Compiled peer, long count, Condition condition) {
        String suffix = " (" + condition.label + ")"; // no comma: series names are CSV fields
        modeRows.add(modeRow(mode + suffix, versus.ringbus(), count));
        series.add(series("ringbus " + mode + suffix, versus.ringbus()));
        if (versus.peer() != null) {
            modeRows.add(modeRow(peerName + suffix, versus.peer(), count));
            series.add(series(peerName + suffix, versus.peer()));
        } else {
            modeRows.add(String.format(Locale.ROOT, "%-26s skipped: %s", peerName + suffix, peer.reason()));
        }
    }

    /**
     * {@code mode} (BLOCKING or SIGNAL) through {@code Subscriber.await} against its C ping-pong, interleaved:
     * each round is a floor check, a ringbus run, a floor check, a C run, a floor check.
     */
    private Versus versusC(BenchFiles files, String mode, CPingPong.Compiled compiled, FloorCheck floor, long count,
        int roundCount, Duration timeout, PrintWriter out, Condition condition) {
        CPingPong c = compiled.program();
        String name = mode.toLowerCase(Locale.ROOT);
        boolean blocking = mode.equals("BLOCKING");
        System.err.println("wakeup bench: " + name + (c != null ? " and its C peer, interleaved" : "") + ", "
            + condition.label + " ...");
        List<Comparison> rows = new ArrayList<>();
        for (int i = 0; i < PERCENTILES.length; i++) {
            double target = !blocking ? Double.NaN
                : i == 0 ? FUTEX_TARGET : i == PERCENTILES.length - 1 ? FUTEX_TAIL_TARGET : Double.NaN;
            rows.add(new Comparison(name + " RTT " + LatencySeries.LABELS[i], blocking ? "C futex" : "C signal", "ns",
                false, target));
        }
        List<Map<String, String>> ringbusRuns = new ArrayList<>();
        List<Map<String, String>> peerRuns = new ArrayList<>();
        Path bus = files.directory("wakeup-" + name + "-" + condition.name().toLowerCase(Locale.ROOT));
        try (ChildJvm pong = child("pong-" + mode, BusWakeupRoles.PONG_ROLE, timeout, List.of(bus.toString(), mode));
            ChildJvm ping = startAfter(pong, bus, mode, timeout)) {
            // Warm-up, unrecorded: long enough for the JIT to compile the await path (with a quarter of a run,
            // 1,250-5,000 round trips, ringbus's p50 still fell round by round: 6.8, 4.5, 3.7, 3.6, 3.5 us).
            // A ping stops at RUN_BUDGET_MILLIS, so a slow mode's warm-up stays bounded.
            run(ping, pong, Math.max(WARMUP_ROUND_TRIPS, count), timeout);
            if (c != null) {
                c.run(files, 1_000, Math.max(1_000, count / 4), timeout);
            }
            for (int round = 1; round <= roundCount; round++) {
                long ringbusFloor = floor.measure();
                Map<String, String> ringbus = run(ping, pong, count, timeout);
                ringbusRuns.add(ringbus);
                out.printf("round %d  ringbus %-8s floor p50 %5d ns | RTT p50 %7s  p90 %7s  p99 %8s  max %9s ns%n",
                    round, name, ringbusFloor, ringbus.get("p50"), ringbus.get("p90"), ringbus.get("p99"),
                    ringbus.get("max"));
                if (c == null) {
                    continue;
                }
                long peerFloor = floor.measure();
                Map<String, String> peer = c.run(files, 1_000, count, timeout);
                peerRuns.add(peer);
                long afterFloor = floor.measure();
                out.printf("round %d  C %-14s floor p50 %5d ns | RTT p50 %7s  p90 %7s  p99 %8s  max %9s ns"
                    + "  (after: floor p50 %d ns)%n", round, name, peerFloor, peer.get("p50"), peer.get("p90"),
                    peer.get("p99"), peer.get("max"), afterFloor);
                for (int i = 0; i < PERCENTILES.length; i++) {
                    rows.get(i).add(new Comparison.Pair(round, ringbusFloor, peerFloor, afterFloor,
                        Double.parseDouble(ringbus.get(PERCENTILES[i])), Double.parseDouble(peer.get(PERCENTILES[i]))));
                }
                logCounted(out, rows.getFirst(), round, name + " vs C, " + condition.label);
                out.flush();
            }
        }
        if (c == null) {
            rows.forEach(row -> row.note(compiled.reason()));
        }
        return new Versus(medianRun(ringbusRuns), c == null ? null : medianRun(peerRuns), rows);
    }

    /** The run whose p50 is the median of the runs' (the lower middle one for an even count). */
    private static Map<String, String> medianRun(List<Map<String, String>> runs) {
        List<Map<String, String>> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingLong(run -> Long.parseLong(run.get("p50"))));
        Map<String, String> median = new HashMap<>(sorted.get((sorted.size() - 1) / 2));
        median.put("runs", Integer.toString(runs.size()));
        return median;
    }

    /** The SPIN await's median run, the poll loop's, and the ratio rows (spin / poll). */
    private record Spin(Map<String, String> spin, Map<String, String> poll, List<Comparison> rows) {
    }

    /**
     * SPIN through {@code Subscriber.await} against the plain poll loop on the same kind of topics (wakeup off),
     * interleaved: each round is a floor check, a SPIN run, a floor check, a poll-loop run, a floor check.
     */
    private Spin spinVersusPoll(BenchFiles files, FloorCheck floor, long count, int roundCount, Duration timeout,
        PrintWriter out) {
        System.err.println("wakeup bench: spin and poll loop, interleaved ...");
        List<Comparison> rows = new ArrayList<>();
        for (int i = 0; i < PERCENTILES.length; i++) {
            boolean targeted = i == 0 || i == PERCENTILES.length - 1;
            rows.add(new Comparison("spin await RTT " + LatencySeries.LABELS[i], "poll loop", "ns", false,
                targeted ? SPIN_TARGET : Double.NaN));
        }
        List<Map<String, String>> spinRuns = new ArrayList<>();
        List<Map<String, String>> pollRuns = new ArrayList<>();
        Path spinBus = files.directory("wakeup-spin");
        Path pollBus = files.directory("wakeup-poll");
        try (ChildJvm spinPong = child("pong-SPIN", BusWakeupRoles.PONG_ROLE, timeout, List.of(spinBus.toString(),
                "SPIN"));
            ChildJvm spinPing = startAfter(spinPong, spinBus, "SPIN", timeout);
            ChildJvm pollPong = child("pong-POLL", BusWakeupRoles.PONG_ROLE, timeout, List.of(pollBus.toString(),
                BusWakeupRoles.POLL));
            ChildJvm pollPing = startAfter(pollPong, pollBus, BusWakeupRoles.POLL, timeout)) {
            // Warm-up: as many round trips as a measured run, unrecorded, in each pair.
            run(spinPing, spinPong, count, timeout);
            run(pollPing, pollPong, count, timeout);
            for (int round = 1; round <= roundCount; round++) {
                long spinFloor = floor.measure();
                Map<String, String> spin = run(spinPing, spinPong, count, timeout);
                long pollFloor = floor.measure();
                Map<String, String> poll = run(pollPing, pollPong, count, timeout);
                long afterFloor = floor.measure();
                spinRuns.add(spin);
                pollRuns.add(poll);
                out.printf("round %d  spin await  floor p50 %5d ns | RTT p50 %7s  p99.9 %8s  max %9s ns%n", round,
                    spinFloor, spin.get("p50"), spin.get("p999"), spin.get("max"));
                out.printf("round %d  poll loop   floor p50 %5d ns | RTT p50 %7s  p99.9 %8s  max %9s ns"
                    + "  (after: floor p50 %d ns)%n", round, pollFloor, poll.get("p50"), poll.get("p999"),
                    poll.get("max"), afterFloor);
                for (int i = 0; i < PERCENTILES.length; i++) {
                    rows.get(i).add(new Comparison.Pair(round, spinFloor, pollFloor, afterFloor,
                        Double.parseDouble(spin.get(PERCENTILES[i])), Double.parseDouble(poll.get(PERCENTILES[i]))));
                }
                logCounted(out, rows.getFirst(), round, "spin await vs poll loop");
                out.flush();
            }
        }
        return new Spin(medianRun(spinRuns), medianRun(pollRuns), rows);
    }

    private static Map<String, String> run(ChildJvm ping, ChildJvm pong, long count, Duration timeout) {
        pong.send("RUN " + count);
        pong.await("ARMED", timeout);
        ping.send("RUN " + count + " " + RUN_BUDGET_MILLIS);
        Map<String, String> result = ping.awaitResult(timeout);
        pong.await("DONE", timeout);
        return result;
    }

    /** A child JVM of this benchmark: {@code role} of {@link BusWakeupRoles}. */
    private static ChildJvm child(String label, String role, Duration timeout, List<String> args) {
        return ChildJvm.start(label, BusWakeupRoles.class, List.of(), role, timeout, args);
    }

    private static ChildJvm startAfter(ChildJvm pong, Path bus, String mode, Duration timeout) {
        pong.await("READY", timeout);
        ChildJvm ping = child("ping-" + mode, BusWakeupRoles.PING_ROLE, timeout,
            List.of(bus.toString(), mode));
        ping.await("READY", timeout);
        return ping;
    }

    private static String idleCpu(BenchFiles files, long seconds) {
        Duration timeout = Duration.ofMinutes(1);
        Path bus = files.directory("wakeup-idle");
        try (ChildJvm pong = child("idle", BusWakeupRoles.PONG_ROLE, timeout,
            List.of(bus.toString(), "BLOCKING"))) {
            pong.await("READY", timeout);
            pong.send("IDLE 1");
            pong.awaitResult(timeout);
            pong.send("IDLE " + seconds);
            return pong.awaitResult(timeout).get("cpuPercent");
        }
    }
}
