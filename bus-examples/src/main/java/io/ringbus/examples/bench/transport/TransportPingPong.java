package io.ringbus.examples.bench.transport;

import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.child.ChildJvm;
import io.ringbus.examples.bench.child.PingLoop;
import io.ringbus.examples.bench.floor.FloorCheck;
import io.ringbus.examples.bench.report.Comparison;
import io.ringbus.examples.bench.report.Figures;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Round trip over one access path, beside the raw JDK channel of the same kind, in the same run.
 *
 * <pre>
 *   ringbus, stream path (unix, tcp)                  ringbus, shm
 *   ping JVM                 bridge JVM               ping JVM                peer JVM
 *   +-------------+  frames  +-------------------+    +-------------+         +-------------+
 *   | BusClient   | -------> | session ─▶ "ping" |    | Bus         | "ping"  | pong: echo  |
 *   | (path P)    |          |   ring ─▶ pong ─┐ |    | publisher,  | ──────▶ | whole       |
 *   | publish,    | <------- | session ◀─ "pong" |    | subscriber  | ◀────── | payload     |
 *   | await echo  |  frames  |   ring ◀────────┘ |    +-------------+ "pong"  +-------------+
 *   +-------------+          +-------------------+
 *
 *   raw peer: ping JVM ── plain SocketChannel (same kind of socket) ──▶ pong JVM, and back
 *   raw3 (--three-stage): the raw pong JVM passes each message reader thread ─▶ Agrona ring ─▶ echo thread
 *             ─▶ Agrona ring ─▶ writer thread, as the bridge passes it session ─▶ ring ─▶ echo ─▶ ring ─▶ session
 * </pre>
 *
 * <p>The pong of a stream path runs on the shared-memory bus inside the bridge's JVM (or, with
 * {@code --peer process}, in a JVM of its own): a client's message then crosses one process
 * boundary each way, as on the raw channel, and what the ratio shows is what the bridge and its
 * rings add. Closed loop, one message in flight, every receiver echoes or copies out the whole
 * payload. Each pair does one unrecorded first run (at least {@code startupRoundTrips} and
 * {@code startupMillis}, which also sizes the measured runs to the round-trip budget); then every
 * measured run warms up again in the very loop that times it ({@link PingLoop}). Runs alternate
 * ringbus, raw, ringbus, ... with a {@link FloorCheck} before, between and after.
 */
final class TransportPingPong {
    /** Target: the path's median round trip at most this multiple of the raw channel's. */
    static final double P50_TARGET = 1.2;
    /** Measured round trips of the first run, which sizes the later ones. */
    private static final long PROBE_ROUND_TRIPS = 2_000;
    private static final long MIN_ROUND_TRIPS = 1_000;

    /**
     * The rows of one variant: p50 (with the target), p99, and the others for the JSON output; with the
     * three-stage raw peer ({@link RawStaged}), its p50 against the raw channel's ({@code ceiling}: raw-3 /
     * raw-2) and ringbus's against it ({@code staged}: ringbus / raw-3), else those two are null.
     */
    record Rows(Comparison p50, Comparison p90, Comparison p99, Comparison p999, Comparison ceiling,
        Comparison staged) {
    }

    /** One side's two JVMs and the command that sets its pong echoing. */
    private record Pair(String label, ChildJvm ping, ChildJvm pong, String pongCommand) {
    }

    private TransportPingPong() {
    }

    static Rows run(TransportVariant variant, TransportOptions options, BenchFiles files, FloorCheck floor,
        PrintWriter log) {
        log.printf("%n== round trip, %s: one %d-byte message in flight, echoed ==%n", variant.label(),
            options.size());
        List<ChildJvm> children = new ArrayList<>();
        boolean completed = false;
        try {
            String name = variant.fileName() + "-" + options.size() + "-rtt";
            RingbusSide side = RingbusSide.start(variant, "rtt", options, files, children);
            ChildJvm ping = side.startClient(children, name + "-ping", TopicEndpoints.PING_ROLE, options);
            Pair ringbus = new Pair("ringbus", ping, side.peer(), "PONG");
            Pair raw = null;
            if (variant.hasRawPeer()) {
                List<String> rawArgs = List.of(side.rawListenUri(), variant.waitMode().label(),
                    Integer.toString(options.size()));
                ChildJvm rawPong = RingbusSide.start(children, name + "-raw-pong", RawPingPong.PONG_ROLE,
                    rawArgs, options);
                String address = RingbusSide.listening(rawPong, options);
                ChildJvm rawPing = RingbusSide.start(children, name + "-raw-ping", RawPingPong.PING_ROLE,
                    List.of(address, variant.waitMode().label(), Integer.toString(options.size())), options);
                raw = new Pair("raw", rawPing, rawPong, "RUN");
            }
            Pair raw3 = null;
            if (options.threeStage(variant)) {
                List<String> rawArgs = List.of(side.rawListenUri("r3e"), variant.waitMode().label(),
                    Integer.toString(options.size()));
                ChildJvm rawPong = RingbusSide.start(children, name + "-raw3-pong", RawStaged.PONG_ROLE,
                    RawStaged.JVM_FLAGS, rawArgs, options);
                String address = RingbusSide.listening(rawPong, options);
                ChildJvm rawPing = RingbusSide.start(children, name + "-raw3-ping", RawPingPong.PING_ROLE,
                    List.of(address, variant.waitMode().label(), Integer.toString(options.size())), options);
                raw3 = new Pair("raw3", rawPing, rawPong, "RUN");
            }
            side.awaitReady(children, options);
            long ringbusCount = startup(ringbus, options, log);
            long rawCount = raw == null ? 0 : startup(raw, options, log);
            long raw3Count = raw3 == null ? 0 : startup(raw3, options, log);
            Rows rows = rows(variant, options, raw3 != null);
            for (int round = 1; round <= options.rounds(); round++) {
                long ringbusFloor = floor.measure();
                Map<String, String> ringbusResult = runOnce(ringbus, options.warmupRoundTrips(),
                    options.warmupMillis(), ringbusCount, options);
                log(log, round, ringbus.label(), ringbusFloor, ringbusResult);
                long rawFloor = floor.measure();
                Map<String, String> rawResult = null;
                long afterFloor = rawFloor;
                if (raw != null) {
                    rawResult = runOnce(raw, options.warmupRoundTrips(), options.warmupMillis(), rawCount, options);
                    log(log, round, raw.label(), rawFloor, rawResult);
                    afterFloor = floor.measure();
                }
                if (raw3 != null) {
                    Map<String, String> raw3Result = runOnce(raw3, options.warmupRoundTrips(), options.warmupMillis(),
                        raw3Count, options);
                    log(log, round, raw3.label(), afterFloor, raw3Result);
                    long lastFloor = floor.measure();
                    // raw3 against raw (their floors: before raw, before raw3, after raw3); ringbus against raw3
                    add(rows.ceiling(), "p50", round, afterFloor, rawFloor, lastFloor, raw3Result, rawResult);
                    add(rows.staged(), "p50", round, ringbusFloor, afterFloor, lastFloor, ringbusResult, raw3Result);
                    log.printf("round %d  after    floor p50 %5d ns%n", round, lastFloor);
                } else if (raw != null) {
                    log.printf("round %d  after    floor p50 %5d ns%n", round, afterFloor);
                }
                add(rows.p50(), "p50", round, ringbusFloor, rawFloor, afterFloor, ringbusResult, rawResult);
                add(rows.p90(), "p90", round, ringbusFloor, rawFloor, afterFloor, ringbusResult, rawResult);
                add(rows.p99(), "p99", round, ringbusFloor, rawFloor, afterFloor, ringbusResult, rawResult);
                add(rows.p999(), "p999", round, ringbusFloor, rawFloor, afterFloor, ringbusResult, rawResult);
                log.flush();
            }
            completed = true;
            return rows;
        } finally {
            ChildJvm.endAll(children, completed);
        }
    }

    private static Rows rows(TransportVariant variant, TransportOptions options, boolean threeStage) {
        double target = variant.hasRawPeer() && options.targeted() ? P50_TARGET : Double.NaN;
        String peer = TransportReport.RAW_PEER;
        return new Rows(new Comparison("round trip p50", peer, "ns", false, target),
            new Comparison("round trip p90", peer, "ns", false, Double.NaN),
            new Comparison("round trip p99", peer, "ns", false, Double.NaN),
            new Comparison("round trip p99.9", peer, "ns", false, Double.NaN),
            threeStage ? new Comparison("round trip p50, raw3 vs raw", peer, "ns", false, Double.NaN) : null,
            threeStage ? new Comparison("round trip p50, ringbus vs raw3", TransportThroughput.RAW3_PEER, "ns", false,
                Double.NaN) : null);
    }

    private static void add(Comparison row, String key, int round, long ringbusFloor, long rawFloor, long afterFloor,
        Map<String, String> ringbus, Map<String, String> raw) {
        row.add(new Comparison.Pair(round, ringbusFloor, rawFloor, afterFloor, Double.parseDouble(ringbus.get(key)),
            raw == null ? Double.NaN : Double.parseDouble(raw.get(key))));
    }

    /**
     * The unrecorded first run of a pair: long enough for the JIT to compile both loops, and a
     * measure of the pace that sizes the measured runs. Returns their round-trip count.
     */
    private static long startup(Pair pair, TransportOptions options, PrintWriter log) {
        Map<String, String> first = runOnce(pair, options.startupRoundTrips(), options.startupMillis(),
            PROBE_ROUND_TRIPS, options);
        double mean = Math.max(1, Double.parseDouble(first.get("mean")));
        long fitting = (long) (options.roundTripBudget().toNanos() / mean);
        long count = Math.min(options.roundTrips(), Math.max(MIN_ROUND_TRIPS, fitting));
        log.printf("first run %-7s (unrecorded) %,d round trips in %s ms, then p50 %s: %,d round trips per measured"
            + " run%n", pair.label(), Long.parseLong(first.get("warmup")), first.get("warmupMillis"),
            Figures.nanos(Double.parseDouble(first.get("p50"))), count);
        return count;
    }

    private static Map<String, String> runOnce(Pair pair, long warmupRoundTrips, long warmupMillis, long measured,
        TransportOptions options) {
        pair.pong().send(pair.pongCommand());
        pair.ping().send("RUN " + warmupRoundTrips + " " + warmupMillis + " " + measured);
        Map<String, String> result = pair.ping().awaitResult(options.stepTimeout());
        pair.pong().await("DONE", options.stepTimeout());
        return result;
    }

    private static void log(PrintWriter log, int round, String label, long floor, Map<String, String> result) {
        log.printf("round %d  %-7s  floor p50 %5d ns | RTT p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (warm-up %,d"
            + " round trips in %s ms, %,d measured; ping allocated %s B)%n", round, label, floor,
            Figures.nanos(Double.parseDouble(result.get("p50"))),
            Figures.nanos(Double.parseDouble(result.get("p90"))),
            Figures.nanos(Double.parseDouble(result.get("p99"))),
            Figures.nanos(Double.parseDouble(result.get("p999"))),
            Figures.nanos(Double.parseDouble(result.get("max"))), Long.parseLong(result.get("warmup")),
            result.get("warmupMillis"), Long.parseLong(result.get("count")), result.get("alloc"));
    }
}
