package io.ringbus.examples.bench.ring;

import io.ringbus.examples.bench.child.BenchCleanup;
import io.ringbus.examples.bench.child.BenchException;
import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.child.ChildJvm;
import io.ringbus.examples.bench.floor.FloorCheck;
import io.ringbus.examples.bench.report.Comparison;
import io.ringbus.examples.bench.report.LatencySeries;
import io.ringbus.examples.bench.report.ReportOptions;
import io.ringbus.examples.bench.report.ReportSection;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.stress.common.JvmLauncher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bus bench ring}: ringbus's ring against Agrona's ring buffers, across processes, on the same
 * kind of mapped file, in the same run. Four harnesses ({@link PingPongLatency}, {@link OneToOneThroughput},
 * {@link ManyToOneThroughput}, {@link OneToManyThroughput}) each alternate ringbus and Agrona runs over several
 * rounds, with a {@link FloorCheck} before, between and after the two runs of a round; a round's pair counts
 * towards the ratio only when its three floor checks agree. Prints every run, then a table of
 * ringbus figure, Agrona figure, ratio, target and verdict.
 */
@Command(name = "ring", mixinStandardHelpOptions = true,
    description = {
        "Cross-process benchmark of ringbus against Agrona's OneToOneRingBuffer and ManyToOneRingBuffer, each on a"
            + " mapped file in /dev/shm, measured in the same run: ping-pong round-trip latency,"
            + " one-to-one, two-to-one and one-to-many (fan-out to 2 subscribers; Agrona: one OneToOneRingBuffer per"
            + " subscriber) throughput, at 32, 64, 288, 1024 and 65536 bytes (--quick: 64 only; --sizes to choose);"
            + " Chronicle Queue (append and a spinning tailer, queue directories in /dev/shm) in the ping-pong and"
            + " the one-to-one throughput. The targets are for 64-byte messages.",
        "The headline rows use ringbus the way the README's first example does: Bus, Publisher.offer,"
            + " Subscriber.poll (single producer where a row has one publisher, a SPIN subscriber, topic wakeup"
            + " off). The rows marked '(ring only)' time the bare ring (RingWriter, RingReader) against the same"
            + " Agrona runs, so that the topic layer's cost shows.",
        "Every process is its own JVM. Runs alternate ringbus, Agrona, ringbus, ... and each is preceded by a"
            + " floor check (a bare spin ping-pong between two JVMs), since this VM's round trip changes about 4x"
            + " with its vCPU placement; ratios come from rounds whose floor checks (before, between and after"
            + " the two runs) agree. A child with nothing to do (an empty poll, a refused offer) spins, except in a"
            + " topology with more processes than cores (two-to-one and one-to-many on 2 cores), where every"
            + " child, of every ring, yields its core instead (--child-jvm-option=-Dringbus.bench.idle=spin to"
            + " spin there too).",
        "Takes about fifteen minutes on a quiet 2-core VM (--quick: about one; --sizes 64: about three); with two"
            + " busy processes beside it, --quick took four. On a machine too loaded to keep up, ping-pong runs stop"
            + " at a time budget (8 s, full mode 20 s) with fewer round trips, and rounds whose floor checks disagree"
            + " are logged as not counted; the table is printed and the exit code is 0 either way."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":the table (or --json) was printed; a missed target shows as its verdict, not"
            + " in the status",
        "1:a child JVM failed or hung, or the files could not be made; the one-line message says which",
        "2:bad usage (including a bad --only or --timeout)",
        ExitCodes.SIGNALS + ", after killing the child JVMs and removing the files"},
    footer = {"", "Examples:",
        "  ./bus bench ring --quick",
        "  ./bus bench ring --only ping-pong --rounds 3",
        "  ./bus bench ring --quick --sizes 32,288,1024,65536 --only ping-pong,one-to-one",
        "  ./bus bench ring --json > ring.json"})
public final class RingBenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ReportOptions report = new ReportOptions();

    private static final String PING_PONG = "ping-pong";
    private static final String ONE_TO_ONE = "one-to-one";
    private static final String TWO_TO_ONE = "two-to-one";
    private static final String ONE_TO_MANY = "one-to-many";
    private static final String BATCHED = "one-to-one-batched";
    private static final int MIN_SIZE = 16;
    /** The message sizes of a full run: the four the benchmarks are specified at, and 64 for the targets. */
    private static final Pattern SIZE_LABEL = Pattern.compile(", \\d+ B$");
    static final List<Integer> FULL_RUN_SIZES = List.of(32, 64, 288, 1024, 65536);

    @Option(names = "--rounds", paramLabel = "N",
        description = "Measured runs per ring and benchmark, interleaved (default 7; --quick 3).")
    private Integer rounds;

    @Option(names = "--messages", paramLabel = "N",
        description = "Messages per throughput run, over all publishers (default 10000000; --quick 3000000);"
            + " fewer when the first warm-up shows a busy machine, to keep runs near 1.5 s (--quick 0.5 s).")
    private Long messages;

    @Option(names = "--round-trips", paramLabel = "N",
        description = "Measured round trips per ping-pong run, after the warm-up (default 500000; --quick 200000).")
    private Long roundTrips;

    @Option(names = "--warmup-round-trips", paramLabel = "N", defaultValue = "100000",
        description = "Least number of warm-up round trips of every ping-pong run, in its timing loop (default"
            + " ${DEFAULT-VALUE}).")
    private long pingWarmupRoundTrips;

    @Option(names = "--warmup-millis", paramLabel = "MS", defaultValue = "1000",
        description = "Least warm-up time of every ping-pong run, in milliseconds (default ${DEFAULT-VALUE}).")
    private long pingWarmupMillis;

    @Option(names = "--warmup-runs", paramLabel = "N",
        description = "Unrecorded throughput runs per ring before the rounds (default 3; --quick 2).")
    private Integer warmupRuns;

    @Option(names = "--capacity", paramLabel = "BYTES", defaultValue = "1048576",
        description = "Data bytes of every ring, ringbus's and Agrona's (default ${DEFAULT-VALUE}).")
    private int capacity;

    @Option(names = "--floor-tolerance", paramLabel = "FRACTION", defaultValue = "0.30",
        description = "How far apart a round's two floor checks may be for the round to count (default"
            + " ${DEFAULT-VALUE}).")
    private double floorTolerance;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
        description = "Longest a child JVM may take over one step before it is declared hung and killed (default"
            + " ${DEFAULT-VALUE}).")
    private long timeoutSeconds;

    @Option(names = "--only", split = ",", paramLabel = "BENCH",
        description = "Run only these: " + PING_PONG + ", " + ONE_TO_ONE + ", " + BATCHED + ", " + TWO_TO_ONE + ", "
            + ONE_TO_MANY
            + " (default all).")
    private List<String> only;

    @Option(names = "--sizes", split = ",", paramLabel = "BYTES",
        description = "Message sizes, each benchmark run at each in turn, rows labelled with the size (default"
            + " 32,64,288,1024,65536; --quick 64; from " + MIN_SIZE + " to capacity / 8). Throughput runs of longer"
            + " messages carry as many bytes as 64-byte runs (at least 10000 messages); targets apply at 64 bytes.")
    private List<Integer> sizes;

    @Option(names = "--child-jvm-option", paramLabel = "OPTION",
        description = "An option for every child JVM, ringbus's and Agrona's alike; repeatable (e.g."
            + " -XX:+UseSerialGC, or -Xlog:... to see where time goes).")
    private List<String> childJvmOptions;

    @Option(names = "--quick", description = "Fewer rounds and shorter runs: about a minute on a quiet machine.")
    private boolean quick;

    @Option(names = "--json", description = "Print the results as JSON on stdout; the run log goes to stderr.")
    private boolean json;

    /** Runs the command on its own, for use without the {@code bus} launcher. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new RingBenchCommand()).execute(args));
    }

    /** Where this benchmark's report section goes: {@code bus bench all} collects it with the others'. */
    public ReportOptions report() {
        return report;
    }

    @Override
    public Integer call() {
        PrintStream out = System.out;
        PrintStream log = json ? System.err : System.out;
        RingOptions options;
        List<String> benchmarks;
        List<Integer> lengths;
        try {
            options = options();
            benchmarks = benchmarks();
            lengths = lengths(options);
        } catch (IllegalArgumentException e) {
            System.err.println("bench ring: " + e.getMessage());
            return 2;
        }
        ChildJvm.extraOptions(childJvmOptions == null ? List.of() : childJvmOptions);
        long started = System.nanoTime();
        BenchFiles files;
        try {
            files = BenchFiles.create();
        } catch (UncheckedIOException e) {
            System.err.println("bench ring: " + e.getMessage());
            return 1;
        }
        BenchCleanup cleanup = BenchCleanup.register("bench-ring", files);
        try {
            printHeader(log, options, files);
            List<Comparison> rows = new ArrayList<>();
            try (FloorCheck floor = FloorCheck.start(files, options.floorRoundTrips(), options.stepTimeout())) {
                boolean labelled = lengths.size() > 1 || lengths.get(0) != ThroughputHarness.MESSAGE_LENGTH;
                // Benchmark by benchmark, each at every size, so that a benchmark's rows stand together.
                for (String benchmark : benchmarks) {
                    for (int length : lengths) {
                        String label = labelled ? ", " + length + " B" : "";
                        rows.addAll(switch (benchmark) {
                            case PING_PONG -> PingPongLatency.run(length, label, options, files, floor, log);
                            case ONE_TO_ONE -> OneToOneThroughput.run(length, label, options, files, floor, log);
                            case TWO_TO_ONE -> ManyToOneThroughput.run(length, label, options, files, floor, log);
                            case BATCHED -> OneToOneThroughput.runBatched(length, label, options, files, floor, log);
                            default -> OneToManyThroughput.run(length, label, options, files, floor, log);
                        });
                    }
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            if (json) {
                RingReport.printJson(out, rows, options, seconds);
            } else {
                RingReport.printTable(out, rows, options, seconds);
            }
            ByteArrayOutputStream table = new ByteArrayOutputStream();
            RingReport.printTable(new PrintStream(table, true, StandardCharsets.UTF_8), rows, options, seconds);
            String written = report.deliver(new ReportSection("bench ring", ReportOptions.commandLine(spec),
                table.toString(StandardCharsets.UTF_8), series(rows, options.floorTolerance())));
            if (written != null) {
                log.println(written);
            }
            return 0;
        } catch (BenchException | UncheckedIOException e) {
            System.err.println("bench ring: " + e.getMessage());
            return 1;
        } finally {
            cleanup.close();
        }
    }

    private RingOptions options() {
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("--timeout must be at least 1 second");
        }
        return new RingOptions(
            rounds != null ? rounds : quick ? 3 : 7,
            messages != null ? messages : quick ? 3_000_000 : 10_000_000,
            warmupRuns != null ? warmupRuns : quick ? 2 : 3,
            roundTrips != null ? roundTrips : quick ? 200_000 : 500_000,
            pingWarmupRoundTrips, pingWarmupMillis, 5_000, capacity, floorTolerance, Duration.ofSeconds(timeoutSeconds),
            Duration.ofMillis(quick ? 500 : 1_500), Duration.ofSeconds(quick ? 8 : 20));
    }

    private List<Integer> lengths(RingOptions options) {
        if (sizes == null || sizes.isEmpty()) {
            return quick ? List.of(ThroughputHarness.MESSAGE_LENGTH) : FULL_RUN_SIZES;
        }
        int largest = options.capacity() / 8;
        for (int size : sizes) {
            if (size < MIN_SIZE || size > largest) {
                throw new IllegalArgumentException("--sizes: " + size + " is outside " + MIN_SIZE + " to " + largest
                    + " bytes (capacity / 8)");
            }
        }
        return List.copyOf(sizes);
    }

    private List<String> benchmarks() {
        if (only == null || only.isEmpty()) {
            return List.of(PING_PONG, ONE_TO_ONE, BATCHED, TWO_TO_ONE, ONE_TO_MANY);
        }
        List<String> chosen = new ArrayList<>();
        for (String name : only) {
            String canonical = switch (name.toLowerCase(Locale.ROOT)) {
                case "ping-pong", "pingpong", "latency" -> PING_PONG;
                case "one-to-one", "onetoone" -> ONE_TO_ONE;
                case "two-to-one", "many-to-one", "manytoone" -> TWO_TO_ONE;
                case "one-to-many", "onetomany", "fan-out", "fanout" -> ONE_TO_MANY;
                case "one-to-one-batched", "batched", "batch" -> BATCHED;
                default -> throw new IllegalArgumentException("--only: unknown benchmark '" + name + "'; choose from "
                    + PING_PONG + ", " + ONE_TO_ONE + ", " + BATCHED + ", " + TWO_TO_ONE + ", " + ONE_TO_MANY);
            };
            chosen.add(canonical);
        }
        return chosen;
    }

    private static void printHeader(PrintStream log, RingOptions options, BenchFiles files) {
        log.printf("bench ring: ringbus (public API, and its bare ring) vs Agrona ring buffers, %d rounds, ring"
            + " capacity %,d bytes%n",
            options.rounds(), options.capacity());
        log.printf("  java %s (%s), %d CPUs; files in %s%n", Runtime.version(), JvmLauncher.javaBinary(),
            Runtime.getRuntime().availableProcessors(), files.directory());
        log.printf("  floor check before every measured run: bare spin ping-pong on two shared longs, %,d round"
            + " trips, p50; a pair counts when its floors are within %.0f%%%n", options.floorRoundTrips(),
            options.floorTolerance() * 100);
    }

    /**
     * The chart's series: the ping-pong percentiles of ringbus and of each peer measured (ringbus's from
     * the rows against Agrona, the first peer), at 64 bytes (or the first size measured when 64 was not).
     */
    static List<LatencySeries> series(List<Comparison> rows, double tolerance) {
        Map<String, double[]> peers = new LinkedHashMap<>();
        double[] ringbus = null;
        double[] ring = null;
        String charted = chartedSizeLabel(rows);
        for (Comparison row : rows) {
            if (!row.name().startsWith("ping-pong") || row.notMeasured()
                || !sizeLabelOf(row.name()).equals(charted)) {
                continue;
            }
            int percentile = percentileOf(row.name());
            Comparison.Summary s = row.summarize(tolerance);
            if (row.name().contains(PingPongLatency.RING_ONLY)) {
                ring = ring == null ? nans() : ring;
                ring[percentile] = s.ringbus();
                continue;
            }
            if (ringbus == null || row.peer().equals(Peer.AGRONA.label())) {
                if (ringbus == null) {
                    ringbus = nans();
                }
                if (Double.isNaN(ringbus[percentile])) {
                    ringbus[percentile] = s.ringbus();
                }
            }
            peers.computeIfAbsent(row.peer(), peer -> nans())[percentile] = s.peerFigure();
        }
        List<LatencySeries> series = new ArrayList<>();
        if (ringbus != null) {
            series.add(new LatencySeries("ringbus", ringbus[0], ringbus[1], ringbus[2], ringbus[3]));
        }
        if (ring != null) {
            series.add(new LatencySeries("ringbus ring only", ring[0], ring[1], ring[2], ring[3]));
        }
        peers.forEach((peer, v) -> series.add(new LatencySeries(peer, v[0], v[1], v[2], v[3])));
        return series;
    }

    /** The size label of the ping-pong rows to chart: 64 bytes when measured, else the first size. */
    private static String chartedSizeLabel(List<Comparison> rows) {
        String first = null;
        for (Comparison row : rows) {
            if (row.name().startsWith("ping-pong")) {
                String label = sizeLabelOf(row.name());
                if (label.isEmpty() || label.equals(", " + ThroughputHarness.MESSAGE_LENGTH + " B")) {
                    return label;
                }
                first = first == null ? label : first;
            }
        }
        return first;
    }

    /** The {@code ", N B"} suffix of a row name, or empty for a row without one. */
    private static String sizeLabelOf(String rowName) {
        Matcher m = SIZE_LABEL.matcher(rowName);
        return m.find() ? m.group() : "";
    }

    private static double[] nans() {
        return new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    }

    private static int percentileOf(String labelledRowName) {
        String rowName = labelledRowName.substring(0, labelledRowName.length() - sizeLabelOf(labelledRowName).length());
        for (int i = LatencySeries.LABELS.length - 1; i >= 0; i--) {
            if (rowName.contains(LatencySeries.LABELS[i] + " ") || rowName.endsWith(LatencySeries.LABELS[i])) {
                return i;
            }
        }
        throw new IllegalArgumentException("no percentile in row '" + rowName + "'");
    }
}
