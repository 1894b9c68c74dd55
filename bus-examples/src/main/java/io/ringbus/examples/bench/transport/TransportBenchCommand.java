package io.ringbus.examples.bench.transport;

import io.ringbus.examples.bench.child.BenchCleanup;
import io.ringbus.examples.bench.child.BenchException;
import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.child.ChildJvm;
import io.ringbus.examples.bench.child.PublisherLoop;
import io.ringbus.examples.bench.floor.FloorCheck;
import io.ringbus.examples.bench.report.Comparison;
import io.ringbus.examples.bench.report.LatencySeries;
import io.ringbus.examples.bench.report.ReportOptions;
import io.ringbus.examples.bench.report.ReportSection;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.stress.common.JvmLauncher;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bus bench transport}: round trip and throughput of each access path (Unix socket and TCP
 * through a bridge, and the shared-memory bus itself), each stream path beside the raw JDK channel
 * of the same kind, in the same run. Two harnesses ({@link TransportPingPong},
 * {@link TransportThroughput}) alternate ringbus and raw runs over several rounds, with a
 * {@link FloorCheck} before, between and after; prints every run, then one table
 * ({@link TransportReport}).
 */
@Command(name = "transport", mixinStandardHelpOptions = true,
    description = {
        "Round trip and throughput of each access path, each beside the raw JDK channel of the same kind, measured"
            + " in the same run: a stream path (unix, tcp, fifo, pipe, mq) is a client JVM talking to a bridge JVM that"
            + " holds the bus, with the shared-memory end (echo, consumer, producer) inside the bridge's JVM; its raw"
            + " peer is two JVMs with a plain SocketChannel (unix, tcp), a pipe each way (fifo, pipe) or a message"
            + " queue each way (mq, mq_send/mq_receive) between them. The shm path is two JVMs on the bus.",
        "Targets: a path's round trip at most 1.2x its raw channel's, its batched throughput at least 0.8x; the"
            + " shm path at least 50x faster in round trip and 10x in throughput than the unix path.",
        "Every process is its own JVM; runs alternate ringbus, raw, ringbus, ... each after a floor check (a bare"
            + " spin ping-pong between two JVMs); a round counts when its floor checks agree.",
        "Takes five to eight minutes per message size (--quick: about one), longer on a loaded machine; --paths"
            + " to choose."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":the table (or --json) was printed; a missed target shows as its verdict, not"
            + " in the status",
        "1:a child JVM failed or hung, or the files could not be made; the one-line message says which",
        "2:bad usage (including a bad --paths, --only or --timeout)",
        ExitCodes.SIGNALS + ", after killing the child JVMs and removing the files"},
    footer = {"", "Examples:",
        "  ./bus bench transport --quick --paths unix,shm",
        "  ./bus bench transport --quick --paths unix,shm --sizes 32,64,288,1024,65536",
        "  ./bus bench transport --quick --paths unix,fifo --three-stage"})
public final class TransportBenchCommand implements Callable<Integer> {
    private static final String ROUND_TRIP = "round-trip";
    private static final String THROUGHPUT = "throughput";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ReportOptions report = new ReportOptions();

    @Option(names = "--paths", split = ",", paramLabel = "PATH",
        description = "Paths to measure, in order: unix, tcp, fifo, pipe, mq, shm (default all six).")
    private List<String> paths;

    @Option(names = "--wait", split = ",", paramLabel = "MODE",
        description = "How the endpoints of stream paths and their raw peers wait: blocking (in the kernel) and/or"
            + " spin (default blocking). The shm path is always measured both ways.")
    private List<String> waits;

    @Option(names = "--peer", split = ",", paramLabel = "WHERE",
        description = "Where the shm end of a stream path runs: bridge (in the bridge's JVM: one process hop, as on"
            + " the raw channel) and/or process (a JVM of its own: client, bridge, peer) (default bridge).")
    private List<String> peers;

    @Option(names = "--bridge-wakeup", paramLabel = "MODE", defaultValue = "blocking",
        description = "How the bridge's sessions wait for messages to forward: blocking (default) or spin (a core per"
            + " subscriber connection for as long as it is open, raw runs and floor checks included).")
    private String bridgeWakeup;

    @Option(names = {"--sizes", "--size"}, split = ",", paramLabel = "BYTES",
        description = "Payload bytes per message; several sizes run one after another, a table each (default 64;"
            + " the targets are for 64). Throughput runs of longer messages carry as many bytes as 64-byte runs"
            + " (at least 10000 messages).")
    private List<Integer> sizes;

    @Option(names = "--capacity", paramLabel = "BYTES", defaultValue = "1048576",
        description = "Ring data bytes of every topic (default ${DEFAULT-VALUE}).")
    private int capacity;

    @Option(names = "--rounds", paramLabel = "N",
        description = "Measured runs per side and measure, interleaved (default 5; --quick 2).")
    private Integer rounds;

    @Option(names = "--round-trips", paramLabel = "N",
        description = "Measured round trips per run, at most (default 100000; --quick 20000); fewer when the first"
            + " run shows they would take over 2 s (--quick 0.4 s), never fewer than 1000.")
    private Long roundTrips;

    @Option(names = "--startup-round-trips", paramLabel = "N",
        description = "Least round trips of each pair's unrecorded first run (default 100000; --quick 10000).")
    private Long startupRoundTrips;

    @Option(names = "--startup-millis", paramLabel = "MS",
        description = "Least duration of each pair's unrecorded first run (default 1000; --quick 300).")
    private Long startupMillis;

    @Option(names = "--warmup-round-trips", paramLabel = "N",
        description = "Least warm-up round trips of every measured run, in the loop that measures (default 10000;"
            + " --quick 1000).")
    private Long warmupRoundTrips;

    @Option(names = "--warmup-millis", paramLabel = "MS",
        description = "Least warm-up time of every measured run, in the loop that measures (default 1000; --quick"
            + " 200).")
    private Long warmupMillis;

    @Option(names = "--messages", paramLabel = "N",
        description = "Messages per throughput run, at most (default 5000000; --quick 1000000); fewer when the first"
            + " warm-up shows a run would take over 1 s (--quick 0.3 s).")
    private Long messages;

    @Option(names = "--warmup-runs", paramLabel = "N",
        description = "Unrecorded throughput runs per side before the rounds (default 2; --quick 1).")
    private Integer warmupRuns;

    @Option(names = "--floor-tolerance", paramLabel = "FRACTION", defaultValue = "0.30",
        description = "How far apart a round's floor checks may be for the round to count (default ${DEFAULT-VALUE}).")
    private double floorTolerance;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
        description = "Longest a child JVM may take over one step before it is declared hung and killed (default"
            + " ${DEFAULT-VALUE}).")
    private long timeoutSeconds;

    @Option(names = "--only", split = ",", paramLabel = "MEASURE",
        description = "Measure only: " + ROUND_TRIP + ", " + THROUGHPUT + " (default both).")
    private List<String> only;

    @Option(names = "--child-jvm-option", paramLabel = "OPTION",
        description = "An option for every child JVM alike; repeatable (e.g. -XX:+UseSerialGC).")
    private List<String> childJvmOptions;

    @Option(names = "--three-stage", description = "Also measure the raw channel with a third busy stage, as ringbus's"
        + " bridge has (blocking paths): the raw reader hands each message to a thread of its own through an Agrona"
        + " ring, the raw writer gets its messages from one, the raw echo passes each through an echo thread and"
        + " back; prints raw-3 / raw (the ceiling of three stages here) and ringbus / raw-3 in a table of their own.")
    private boolean threeStage;

    @Option(names = "--quick", description = "Fewer rounds and shorter runs: about a minute on a quiet machine.")
    private boolean quick;

    @Option(names = "--json", description = "Print the results as JSON on stdout (with several --sizes, an array of"
        + " one object per size); the run log goes to stderr.")
    private boolean json;

    /** Where this benchmark's report section goes: {@code bus bench all} collects it with the others'. */
    public ReportOptions report() {
        return report;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter log = json ? err : out;
        List<TransportOptions> runs = new ArrayList<>();
        try {
            for (int size : sizes == null || sizes.isEmpty() ? List.of(TransportOptions.TARGET_SIZE) : sizes) {
                runs.add(options(size));
            }
        } catch (IllegalArgumentException e) {
            err.println("bench transport: " + e.getMessage());
            err.flush();
            return 2;
        }
        ChildJvm.extraOptions(childJvmOptions == null ? List.of() : childJvmOptions);
        long started = System.nanoTime();
        BenchFiles files;
        try {
            files = BenchFiles.create();
        } catch (UncheckedIOException e) {
            err.println("bench transport: " + e.getMessage());
            err.flush();
            return 1;
        }
        BenchCleanup cleanup = BenchCleanup.register("bench-transport", files);
        try {
            printHeader(log, runs, files);
            List<List<TransportReport.Result>> resultsPerSize = new ArrayList<>();
            try (FloorCheck floor = FloorCheck.start(files, runs.getFirst().floorRoundTrips(),
                runs.getFirst().stepTimeout())) {
                for (TransportOptions options : runs) {
                    List<TransportReport.Result> results = new ArrayList<>();
                    for (TransportVariant variant : options.variants()) {
                        TransportPingPong.Rows roundTrip = options.roundTrip()
                            ? TransportPingPong.run(variant, options, files, floor, log) : null;
                        TransportThroughput.Rows throughput = options.throughput()
                            ? TransportThroughput.run(variant, options, files, floor, log) : null;
                        results.add(new TransportReport.Result(variant, roundTrip, throughput));
                    }
                    resultsPerSize.add(results);
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            StringWriter table = new StringWriter();
            PrintWriter tableWriter = new PrintWriter(table);
            List<String> jsonPerSize = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                TransportReport.printTable(tableWriter, resultsPerSize.get(i), runs.get(i), seconds);
                StringWriter oneJson = new StringWriter();
                TransportReport.printJson(new PrintWriter(oneJson), resultsPerSize.get(i), runs.get(i), seconds);
                jsonPerSize.add(oneJson.toString().strip());
            }
            // One size: one JSON object, as before --sizes; several: an array of them, one per size.
            out.print(json ? (runs.size() == 1 ? jsonPerSize.getFirst() : "[" + String.join(",", jsonPerSize) + "]")
                + System.lineSeparator() : table.toString());
            out.flush();
            int charted = chartedRun(runs);
            String written = report.deliver(new ReportSection("bench transport", ReportOptions.commandLine(spec),
                table.toString(), series(resultsPerSize.get(charted), runs.get(charted).floorTolerance())));
            if (written != null) {
                log.println(written);
                log.flush();
            }
            return 0;
        } catch (BenchException | UncheckedIOException e) {
            log.flush();
            err.println("bench transport: " + e.getMessage());
            err.flush();
            return 1;
        } finally {
            cleanup.close();
        }
    }

    /** The chart's series: per variant with round trips, ringbus's percentiles and its raw channel's. */
    static List<LatencySeries> series(List<TransportReport.Result> results, double tolerance) {
        List<LatencySeries> series = new ArrayList<>();
        for (TransportReport.Result result : results) {
            TransportPingPong.Rows rows = result.roundTrip();
            if (rows == null) {
                continue;
            }
            Comparison.Summary[] s = {rows.p50().summarize(tolerance), rows.p90().summarize(tolerance),
                rows.p99().summarize(tolerance), rows.p999().summarize(tolerance)};
            String label = result.variant().label();
            series.add(new LatencySeries(label + " ringbus", s[0].ringbus(), s[1].ringbus(), s[2].ringbus(),
                s[3].ringbus()));
            if (Double.isFinite(s[0].peerFigure())) {
                series.add(new LatencySeries(label + " raw", s[0].peerFigure(), s[1].peerFigure(), s[2].peerFigure(),
                    s[3].peerFigure()));
            }
        }
        return series;
    }

    /** The run whose round trips the chart shows: the 64-byte one, else the first. */
    private static int chartedRun(List<TransportOptions> runs) {
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).targeted()) {
                return i;
            }
        }
        return 0;
    }

    private TransportOptions options(int size) {
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("--timeout must be at least 1 second");
        }
        Set<String> measures = measures();
        return new TransportOptions(variants(), rounds != null ? rounds : quick ? 2 : 5, size, capacity,
            TransportWait.parse(bridgeWakeup),
            startupRoundTrips != null ? startupRoundTrips : quick ? 10_000 : 100_000,
            startupMillis != null ? startupMillis : quick ? 300 : 1_000,
            warmupRoundTrips != null ? warmupRoundTrips : quick ? 1_000 : 10_000,
            warmupMillis != null ? warmupMillis : quick ? 200 : 1_000,
            roundTrips != null ? roundTrips : quick ? 20_000 : 100_000,
            Duration.ofMillis(quick ? 400 : 2_000),
            scaledToSize(messages != null ? messages : quick ? 1_000_000 : 5_000_000, size),
            warmupRuns != null ? warmupRuns : quick ? 1 : 2,
            Duration.ofMillis(quick ? 300 : 1_000),
            5_000, floorTolerance, Duration.ofSeconds(timeoutSeconds),
            measures.contains(ROUND_TRIP), measures.contains(THROUGHPUT), threeStage);
    }

    /**
     * Messages per throughput run for {@code size}-byte messages: above 64 bytes, as many bytes as the
     * 64-byte count carries, never fewer than 10,000 (or than {@code messages}, if smaller).
     */
    private static long scaledToSize(long messages, int size) {
        if (size <= TransportOptions.TARGET_SIZE) {
            return messages;
        }
        return Math.min(messages, Math.max(messages * TransportOptions.TARGET_SIZE / size,
            PublisherLoop.MIN_SIZED_MESSAGES));
    }

    /** Paths in the order given; each stream path once per wait mode and peer placement; shm spin and blocking. */
    private List<TransportVariant> variants() {
        List<TransportVariant.Via> vias = new ArrayList<>();
        List<String> chosen = paths == null || paths.isEmpty() ? List.of("unix", "tcp", "fifo", "pipe", "mq", "shm")
            : paths;
        for (String path : chosen) {
            TransportVariant.Via via = TransportVariant.Via.parse(path);
            if (!vias.contains(via)) {
                vias.add(via);
            }
        }
        Set<TransportWait> waitModes = new LinkedHashSet<>();
        for (String wait : waits == null || waits.isEmpty() ? List.of("blocking") : waits) {
            waitModes.add(TransportWait.parse(wait));
        }
        Set<TransportVariant.PeerAt> placements = new LinkedHashSet<>();
        for (String peer : peers == null || peers.isEmpty() ? List.of("bridge") : peers) {
            placements.add(TransportVariant.PeerAt.parse(peer));
        }
        List<TransportVariant> variants = new ArrayList<>();
        for (TransportVariant.Via via : vias) {
            if (!via.isStream()) {
                variants.add(new TransportVariant(via, TransportWait.SPIN, TransportVariant.PeerAt.PROCESS));
                variants.add(new TransportVariant(via, TransportWait.BLOCKING, TransportVariant.PeerAt.PROCESS));
                continue;
            }
            for (TransportWait wait : waitModes) {
                for (TransportVariant.PeerAt peerAt : placements) {
                    variants.add(new TransportVariant(via, wait, peerAt));
                }
            }
        }
        return variants;
    }

    private Set<String> measures() {
        if (only == null || only.isEmpty()) {
            return Set.of(ROUND_TRIP, THROUGHPUT);
        }
        Set<String> chosen = new LinkedHashSet<>();
        for (String name : only) {
            chosen.add(switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "round-trip", "roundtrip", "rtt", "latency", "ping-pong" -> ROUND_TRIP;
                case "throughput", "tput" -> THROUGHPUT;
                default -> throw new IllegalArgumentException("--only: unknown measure '" + name + "'; choose from "
                    + ROUND_TRIP + ", " + THROUGHPUT);
            });
        }
        return chosen;
    }

    private static void printHeader(PrintWriter log, List<TransportOptions> runs, BenchFiles files) {
        TransportOptions options = runs.getFirst();
        List<String> labels = options.variants().stream().map(TransportVariant::label).toList();
        String sizes = String.join(", ", runs.stream().map(run -> Integer.toString(run.size())).toList());
        log.printf("bench transport: %s; %s-byte messages, %d rounds, topic rings of %,d bytes%n",
            String.join(", ", labels), sizes, options.rounds(), options.capacity());
        log.printf("  java %s (%s), %d CPUs; files in %s%n", Runtime.version(), JvmLauncher.javaBinary(),
            Runtime.getRuntime().availableProcessors(), files.directory());
        Set<TransportVariant.Via> vias = new LinkedHashSet<>();
        options.variants().forEach(variant -> vias.add(variant.via()));
        if (vias.stream().anyMatch(TransportVariant.Via::isStream)) {
            log.printf("  topology, stream paths: client JVM --path--> bridge JVM (bus, sessions waiting %s) --ring-->"
                + " shm peer (echo, consumer, producer) %s%n", options.bridgeWakeup().label(), peerPlacements(options));
        }
        for (TransportVariant.Via via : vias) {
            if (via.isStream()) {
                log.printf("  raw peer of %s: %s, two JVMs, waiting as the ringbus endpoints do%n", via.label(),
                    via.rawPeer());
            }
        }
        if (options.threeStage()) {
            log.printf("  three-stage raw peers (raw3): a raw JVM hands each message between two of its threads through"
                + " an Agrona OneToOneRingBuffer; the receiving thread polls, yielding, for %,d ns, then parks and is"
                + " woken%n", Handoff.SPIN_NANOS);
        }
        if (vias.contains(TransportVariant.Via.PIPE)) {
            log.printf("  pipe: each client endpoint gets a pipe pair that the bridge serves with Bridge.serve, as"
                + " ./bus run does (FIFO nodes made by the client: a JVM can pass a child no descriptor but 0-2)%n");
        }
        if (vias.contains(TransportVariant.Via.SHM)) {
            log.printf("  shm: client JVM --ring--> peer JVM, on the bus directly; spin and blocking%n");
        }
        log.printf("  round trips: each pair's first run unrecorded (>= %,d round trips and >= %d ms); every measured"
            + " run warms up >= %,d round trips and >= %d ms in its own loop, then times up to %,d%n",
            options.startupRoundTrips(), options.startupMillis(), options.warmupRoundTrips(), options.warmupMillis(),
            options.roundTrips());
        log.printf("  throughput: %d warm-up runs, then up to %,d messages per run (about %.1f s); raw writes 64 KiB"
            + " batches of framed messages (8-byte header, as ringbus frames)%n", options.warmupRuns(),
            options.messages(), options.runBudget().toMillis() / 1e3);
        log.printf("  floor check before every measured run: bare spin ping-pong on two shared longs, %,d round trips,"
            + " p50; a round counts when its floors are within %.0f%%%n", options.floorRoundTrips(),
            options.floorTolerance() * 100);
        log.flush();
    }

    private static String peerPlacements(TransportOptions options) {
        Set<String> placements = new LinkedHashSet<>();
        for (TransportVariant variant : options.variants()) {
            if (variant.via().isStream()) {
                placements.add(variant.peerAt().description());
            }
        }
        return placements.isEmpty() ? "" : String.join(" / ", placements);
    }
}
