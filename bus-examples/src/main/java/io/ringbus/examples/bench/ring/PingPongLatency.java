package io.ringbus.examples.bench.ring;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.examples.bench.child.BenchException;
import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.child.ChildJvm;
import io.ringbus.examples.bench.floor.FloorCheck;
import io.ringbus.examples.bench.report.Comparison;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Round-trip latency between two processes, one message in flight (64 bytes, or each of {@code --sizes}
 * in turn), the same for ringbus through its public API ({@link BusPingPong}: {@code Bus},
 * {@code Publisher.offer}, {@code Subscriber.poll}), ringbus's bare ring ({@link RingbusPingPong}, the rows
 * marked {@value #RING_ONLY}, so that the topic layer's cost shows), Agrona's {@code OneToOneRingBuffer}
 * and Chronicle Queue (an appender and a spinning tailer per direction, {@link ChronicleQueuePeer}).
 *
 * <pre>
 *    ping JVM                                                      pong JVM
 *   +----------------+   offer n B    +------------------+   poll   +----------------+
 *   | t0 = nanoTime  | -------------> | ping ring (file) | -------> | echo the whole |
 *   | poll, copy out |                +------------------+          | payload, from  |
 *   | t1 = nanoTime  | <------------- | pong ring (file) | <------- | ring to ring   |
 *   | record t1 - t0 |      poll      +------------------+  offer   +----------------+
 *   +----------------+
 * </pre>
 *
 * <p>Closed loop: the ping sends the next message only when the echo of the last one is back and
 * copied out. Each run warms up for at least {@code pingWarmupRoundTrips} round trips and
 * {@code pingWarmupMillis} in the very loop that then times {@code roundTrips} more into an
 * HdrHistogram (p50, p90, p99, p99.9, max). Both processes spin (no idle strategy, no pause
 * instruction), exactly alike for every peer. Runs alternate ringbus, Agrona, ringbus ring, Chronicle
 * Queue, ringbus, ... in the same eight JVMs, each after a {@link FloorCheck}; the ring-only rows pair each
 * bare-ring run with the Agrona run just before it. The targets are for 64-byte messages; rows of
 * other sizes carry the size in their names and no target.
 */
final class PingPongLatency {
    static final int MESSAGE_LENGTH = 64;
    static final int PING_TYPE = 1;
    static final int STOP_TYPE = 2;

    /** Added to the names of the rows that time the bare ring ({@link Peer#RING}) instead of the public API. */
    static final String RING_ONLY = " (ring only)";

    private static final String[] PERCENTILES = {"p50", "p90", "p99", "p999"};
    private static final String[] PERCENTILE_NAMES = {"p50", "p90", "p99", "p99.9"};
    /**
     * Target (issue 13): ringbus's median and 99.9th percentile round trips at most Agrona's (the moonshot, 0.8x,
     * is in the README beside the figures).
     */
    private static final double AGRONA_TARGET = 1.0;
    /** Target: ringbus's median round trip at most this fraction of Chronicle Queue's. */
    private static final double CHRONICLE_P50_TARGET = 0.5;

    private PingPongLatency() {
    }

    /**
     * Runs every round and returns, per peer (Agrona, then Chronicle Queue), the p50 row (with its
     * target) and the p90/p99/p99.9 rows. A peer whose JVMs cannot start gets its rows with a note
     * saying why, and the other rows are measured without it.
     */
    static List<Comparison> run(int length, String sizeLabel, RingOptions options, BenchFiles files,
        FloorCheck floor, PrintStream log) {
        log.printf("%n== ping-pong latency: round trip of one %d-byte message, echoed; %,d measured per run"
            + " after >= %,d round trips and >= %d ms of warm-up ==%n", length, options.roundTrips(),
            options.pingWarmupRoundTrips(), options.pingWarmupMillis());
        List<ChildJvm> children = new ArrayList<>();
        List<Path> queues = new ArrayList<>();
        boolean completed = false;
        try {
            ChildJvm[] ringbus = start(Peer.RINGBUS, length, options, files, children, queues);
            ChildJvm[] agrona = start(Peer.AGRONA, length, options, files, children, queues);
            ChildJvm[] ring = start(Peer.RING, length, options, files, children, queues);
            for (ChildJvm child : children) {
                child.await("READY", options.stepTimeout());
            }
            boolean targeted = length == MESSAGE_LENGTH;
            List<Comparison> agronaRows = rows(Peer.AGRONA, sizeLabel, targeted ? AGRONA_TARGET : Double.NaN);
            List<Comparison> ringRows = rows(Peer.AGRONA, RING_ONLY + sizeLabel, Double.NaN);
            List<Comparison> chronicleRows = rows(Peer.CHRONICLE, sizeLabel,
                targeted ? CHRONICLE_P50_TARGET : Double.NaN);
            ChildJvm[] chronicle = null;
            List<ChildJvm> chronicleChildren = new ArrayList<>();
            String tooBig = chronicleWouldNotFit(length, options, files);
            if (tooBig != null) {
                log.println(tooBig);
                chronicleRows.forEach(row -> row.note(tooBig));
            } else {
                try {
                    chronicle = start(Peer.CHRONICLE, length, options, files, chronicleChildren, queues);
                    for (ChildJvm child : chronicleChildren) {
                        child.await("READY", options.stepTimeout());
                    }
                    children.addAll(chronicleChildren);
                } catch (BenchException e) {
                    ChildJvm.endAll(chronicleChildren, false);
                    chronicle = null;
                    String why = "Chronicle Queue could not run on Java " + Runtime.version().feature() + ": "
                        + e.getMessage();
                    log.println(why);
                    chronicleRows.forEach(row -> row.note(why));
                }
            }
            for (int round = 1; round <= options.rounds(); round++) {
                long ringbusFloor = floor.measure();
                Map<String, String> ringbusResult = runOnce(ringbus, options);
                log(log, round, Peer.RINGBUS, ringbusFloor, ringbusResult, options);
                long agronaFloor = floor.measure();
                Map<String, String> agronaResult = runOnce(agrona, options);
                log(log, round, Peer.AGRONA, agronaFloor, agronaResult, options);
                long afterAgrona = floor.measure();
                add(agronaRows, round, ringbusFloor, agronaFloor, afterAgrona, ringbusResult, agronaResult,
                    "ringbus vs Agrona", options, log);
                // The bare ring right after Agrona: its pair is (Agrona, ring) with the floors around both.
                Map<String, String> ringResult = runOnce(ring, options);
                log(log, round, Peer.RING, afterAgrona, ringResult, options);
                long afterRing = floor.measure();
                add(ringRows, round, afterAgrona, agronaFloor, afterRing, ringResult, agronaResult,
                    "ringbus ring vs Agrona", options, log);
                afterAgrona = afterRing;
                Map<String, String> chronicleResult = null;
                if (chronicle != null) {
                    try {
                        chronicleResult = runOnce(chronicle, options);
                    } catch (BenchException e) {
                        // A peer that fails mid-run loses its own rows, not the whole benchmark's.
                        ChildJvm.endAll(chronicleChildren, false);
                        chronicle = null;
                        String why = "Chronicle Queue failed in round " + round + ": " + e.getMessage();
                        log.println(why);
                        chronicleRows.forEach(row -> row.note(why));
                    }
                }
                if (chronicleResult != null) {
                    log(log, round, Peer.CHRONICLE, afterAgrona, chronicleResult, options);
                    long afterFloor = floor.measure();
                    add(chronicleRows, round, ringbusFloor, afterAgrona, afterFloor, ringbusResult, chronicleResult,
                        "ringbus vs Chronicle Queue", options, log);
                    log.printf("round %d  after    floor p50 %5d ns%n", round, afterFloor);
                } else {
                    log.printf("round %d  after    floor p50 %5d ns%n", round, afterAgrona);
                }
            }
            completed = true;
            List<Comparison> rows = new ArrayList<>(agronaRows);
            rows.addAll(ringRows);
            rows.addAll(chronicleRows);
            return rows;
        } finally {
            ChildJvm.endAll(children, completed);
            // Chronicle's queues hold every ping of the run: gigabytes of /dev/shm that the next size needs.
            queues.forEach(ChronicleQueuePeer::deleteTree);
        }
    }

    /**
     * Why Chronicle Queue is left out at {@code length}, or null when it runs: a queue keeps every message
     * written, so the run's two queues grow by every round trip, in /dev/shm; at most half the free space
     * there may go to them (64 KiB pings would need hundreds of gigabytes).
     */
    static String chronicleWouldNotFit(int length, RingOptions options, BenchFiles files) {
        long bytes = 2L * length * options.rounds() * (options.pingWarmupRoundTrips() + options.roundTrips());
        long free;
        try {
            free = Files.getFileStore(files.directory()).getUsableSpace();
        } catch (IOException e) {
            return "Chronicle Queue left out: cannot tell the free space of " + files.directory() + ": " + e;
        }
        if (bytes <= free / 2) {
            return null;
        }
        return String.format(Locale.ROOT, "Chronicle Queue left out at %d bytes: its queues keep every message, about"
            + " %.1f GB for this run, over half of the %.1f GB free in %s", length, bytes / 1e9, free / 1e9,
            files.directory());
    }

    /** The message length from a ping or pong child's optional third argument, else {@link #MESSAGE_LENGTH}. */
    static int length(String[] args) {
        return ThroughputHarness.length(args, 2);
    }

    /** The rows of one peer: p50 held to {@code target}; against Agrona the p99.9 too (issue 13). */
    private static List<Comparison> rows(Peer peer, String sizeLabel, double target) {
        List<Comparison> rows = new ArrayList<>();
        for (int i = 0; i < PERCENTILES.length; i++) {
            String name = (peer == Peer.AGRONA ? "ping-pong RTT " + PERCENTILE_NAMES[i]
                : "ping-pong " + PERCENTILE_NAMES[i] + " vs " + peer.label()) + sizeLabel;
            boolean targeted = i == 0 || (peer == Peer.AGRONA && PERCENTILES[i].equals("p999"));
            rows.add(new Comparison(name, peer.label(), "ns", false, targeted ? target : Double.NaN));
        }
        return rows;
    }

    private static void add(List<Comparison> rows, int round, long ringbusFloor, long peerFloor, long afterFloor,
        Map<String, String> ringbus, Map<String, String> peer, String what, RingOptions options, PrintStream log) {
        ThroughputHarness.logCounted(log, new Comparison.Pair(round, ringbusFloor, peerFloor, afterFloor, 0, 0), what,
            options);
        for (int i = 0; i < PERCENTILES.length; i++) {
            rows.get(i).add(new Comparison.Pair(round, ringbusFloor, peerFloor, afterFloor,
                Double.parseDouble(ringbus.get(PERCENTILES[i])), Double.parseDouble(peer.get(PERCENTILES[i]))));
        }
    }

    /**
     * Makes the two ring files (or queue directories, added to {@code queues}) of {@code peer} and starts its
     * pong and ping.
     */
    private static ChildJvm[] start(Peer peer, int length, RingOptions options, BenchFiles files,
        List<ChildJvm> children, List<Path> queues) {
        String suffix = length == MESSAGE_LENGTH ? "" : "-" + length;
        String ping;
        String pong;
        String pingRole;
        String pongRole;
        switch (peer) {
            case RINGBUS -> {
                // One bus, two topics: both children get the same arguments and open "ping" and "pong".
                List<String> bus = BusEndpoints.args(files.directory("bus-pingpong" + suffix), options.capacity(),
                    ProducerMode.SINGLE, 1);
                List<String> args = new ArrayList<>(bus);
                args.add(Integer.toString(length));
                return startPair(BusPingPong.PING_ROLE, BusPingPong.PONG_ROLE, peer, options, children, args);
            }
            case RING -> {
                ping = files.ringbusRing("pingpong-ping" + suffix, options.capacity(), ProducerMode.SINGLE).toString();
                pong = files.ringbusRing("pingpong-pong" + suffix, options.capacity(), ProducerMode.SINGLE).toString();
                pingRole = RingbusPingPong.PING_ROLE;
                pongRole = RingbusPingPong.PONG_ROLE;
            }
            case AGRONA -> {
                ping = files.agronaRing("pingpong-ping" + suffix, options.capacity()).toString();
                pong = files.agronaRing("pingpong-pong" + suffix, options.capacity()).toString();
                pingRole = AgronaPingPong.PING_ROLE;
                pongRole = AgronaPingPong.PONG_ROLE;
            }
            default -> {
                Path pingQueue = files.directory("chronicle-pingpong-ping" + suffix);
                Path pongQueue = files.directory("chronicle-pingpong-pong" + suffix);
                queues.add(pingQueue);
                queues.add(pongQueue);
                ping = pingQueue.toString();
                pong = pongQueue.toString();
                pingRole = ChronicleQueuePeer.PING_ROLE;
                pongRole = ChronicleQueuePeer.PONG_ROLE;
            }
        }
        return startPair(pingRole, pongRole, peer, options, children, List.of(ping, pong, Integer.toString(length)));
    }

    private static ChildJvm[] startPair(String pingRole, String pongRole, Peer peer, RingOptions options,
        List<ChildJvm> children, List<String> args) {
        ChildJvm pongJvm = ChildJvm.start(pongRole, RingRoles.class, peer.jvmFlags(), pongRole, options.stepTimeout(),
            args);
        children.add(pongJvm);
        ChildJvm pingJvm = ChildJvm.start(pingRole, RingRoles.class, peer.jvmFlags(), pingRole, options.stepTimeout(),
            args);
        children.add(pingJvm);
        return new ChildJvm[] {pingJvm, pongJvm};
    }

    private static Map<String, String> runOnce(ChildJvm[] pair, RingOptions options) {
        pair[1].send("RUN");
        pair[0].send("RUN " + options.pingWarmupRoundTrips() + " " + options.pingWarmupMillis() + " "
            + options.roundTrips() + " " + options.pingBudget().toMillis());
        // Each waits with the other as its partner: if one dies, the wait ends at once, not at the timeout.
        Map<String, String> result = pair[0].awaitResult(options.stepTimeout(), List.of(pair[1]));
        pair[1].awaitAny(options.stepTimeout(), List.of(pair[0]), "DONE");
        return result;
    }

    private static void log(PrintStream log, int round, Peer peer, long floor, Map<String, String> result,
        RingOptions options) {
        log.printf("round %d  %-15s  floor p50 %5d ns | RTT p50 %5s  p90 %5s  p99 %6s  p99.9 %8s  max %9s  mean %5s"
            + " ns  (warm-up %,d round trips in %s ms; ping allocated %s B)%n", round, peer.label(), floor,
            result.get("p50"), result.get("p90"), result.get("p99"), result.get("p999"), result.get("max"),
            result.get("mean"), Long.parseLong(result.get("warmup")), result.get("warmupMillis"), result.get("alloc"));
        if (Long.parseLong(result.get("count")) < options.roundTrips()) {
            log.printf("round %d  %-15s  the machine is slow: the run's time budget ended it after %,d measured round"
                + " trips%n", round, peer.label(), Long.parseLong(result.get("count")));
        }
    }
}
