package io.ringbus.examples.bench.ring;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.examples.bench.child.BenchException;
import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.child.ChildJvm;
import io.ringbus.examples.bench.child.PublisherLoop;
import io.ringbus.examples.bench.child.SpinGuard;
import io.ringbus.examples.bench.floor.FloorCheck;
import io.ringbus.examples.bench.report.Comparison;
import io.ringbus.examples.bench.report.Figures;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@link OneToOneThroughput}, {@link ManyToOneThroughput} and {@link OneToManyThroughput} share: start
 * the subscriber JVMs and N publisher JVMs per side (ringbus through its public API, {@link BusThroughput};
 * Agrona; ringbus's bare ring, {@link RingbusThroughput}; Chronicle Queue where the topology has it), warm
 * every side up with unrecorded runs, then measure rounds of ringbus run, Agrona run, bare-ring run, ...,
 * each after a {@link FloorCheck}, all in the same processes. The headline row pairs the public API with
 * Agrona; the row marked {@value PingPongLatency#RING_ONLY} pairs the bare ring with the Agrona run just
 * before it.
 *
 * <p>One run: the parent arms the subscriber (it answers {@code ARMED} and starts polling), then
 * tells every publisher to send its share of the messages as fast as the ring takes them. The
 * subscriber times from its first message to its last and reports messages per second; it also
 * checks every publisher's sequence, and a run with a lost or reordered message fails the benchmark.
 *
 * <p><b>Waiting.</b> A publisher whose offer is refused and a subscriber whose poll is empty spin, unless
 * the topology has more processes than the machine has cores (two-to-one and one-to-many on two): then every
 * child, of every ring alike, yields its core on each of them ({@link #idleFlags}). Spinning there measured
 * the scheduler rather than the rings: a spinner held a core that the process with work to do (the
 * subscriber behind, the publisher with room) waited for, so a run moved about one ring's capacity per
 * scheduler slice, and its rate followed the capacity (2026-12-07: 4x the capacity, about 4x the rate, for
 * both rings; spinning 1-2.5 M msg/s one-to-many, yielding 17-25 M msg/s, ringbus and Agrona alike).
 * {@code --child-jvm-option=-Dringbus.bench.idle=spin} spins anyway.
 *
 * <p>When the machine is busy (other builds on its two cores), the first warm-up round shows it: the
 * rest of the runs, of both rings alike, are then shortened to about {@link RingOptions#runBudget()}
 * each at the slower ring's rate, so that the whole benchmark keeps to its time.
 */
final class ThroughputHarness {
    static final int MESSAGE_LENGTH = 64;
    static final int MESSAGE_TYPE = 1;
    /** Fewest messages a run is shortened to when the machine is slow. */
    static final long MIN_MESSAGES = 200_000;
    private static final AtomicLong CHRONICLE_RUNS = new AtomicLong();
    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    /**
     * One topology: what to call it, how many publishers, which ring modes, the target against Agrona,
     * and whether Chronicle Queue runs too (a row for information: no target set for it).
     */
    record Topology(String name, int publishers, int subscribers, ProducerMode ringbusMode, String agronaKind,
        double target, boolean chronicle, int batch) {
        Topology(String name, int publishers, int subscribers, ProducerMode ringbusMode, String agronaKind,
            double target, boolean chronicle) {
            this(name, publishers, subscribers, ringbusMode, agronaKind, target, chronicle, 1);
        }
    }

    private record Side(Peer peer, List<ChildJvm> subscribers, List<ChildJvm> publishers, BenchFiles files) {
    }

    private ThroughputHarness() {
    }

    /**
     * Runs the topology with messages of {@code length} bytes; returns the row against Agrona, then the one
     * against Chronicle Queue if it has one.
     *
     * @param sizeLabel appended to the row names (e.g. {@code ", 1024 B"}), or empty
     */
    static List<Comparison> run(Topology topology, int length, String sizeLabel, RingOptions options,
        BenchFiles files, FloorCheck floor, PrintStream log) {
        // Messages above the default length: as many bytes per run as the default, at least MIN_SIZED_MESSAGES.
        long messages = length <= MESSAGE_LENGTH ? options.messages()
            : Math.min(options.messages(),
                Math.max(options.messages() * MESSAGE_LENGTH / length, PublisherLoop.MIN_SIZED_MESSAGES));
        long perPublisher = messages / topology.publishers();
        long total = perPublisher * topology.publishers();
        log.printf("%n== %s throughput: %d publisher process%s, %d subscriber%s, %d-byte messages, %,d per run ==%n",
            topology.name(), topology.publishers(), topology.publishers() == 1 ? "" : "es", topology.subscribers(),
            topology.subscribers() == 1 ? "" : "s", length, total);
        if (!idleFlags(topology, CPUS).isEmpty()) {
            log.printf("more processes than the %d cores: every child's loop yields its core when it has nothing to"
                + " do (-D%s=yield), whichever ring it runs, unless --child-jvm-option=-D%s=spin%n", CPUS,
                SpinGuard.IDLE_PROPERTY, SpinGuard.IDLE_PROPERTY);
        }
        List<ChildJvm> children = new ArrayList<>();
        boolean completed = false;
        try {
            List<Side> sides = new ArrayList<>();
            sides.add(start(Peer.RINGBUS, topology, length, options, files, children));
            sides.add(start(Peer.AGRONA, topology, length, options, files, children));
            Side ring = start(Peer.RING, topology, length, options, files, children);
            for (ChildJvm child : children) {
                child.await("READY", options.stepTimeout());
            }
            List<Comparison> rows = new ArrayList<>();
            String rowName = topology.name() + " throughput"
                + (topology.subscribers() > 1 ? " (" + topology.subscribers() + " subscribers)" : "");
            String peer = topology.subscribers() > 1 ? topology.subscribers() + " Agrona rings" : Peer.AGRONA.label();
            // The targets are for 64-byte messages; other sizes are measured and compared without one.
            rows.add(new Comparison(rowName + sizeLabel, peer, "msg/s", true,
                length == MESSAGE_LENGTH ? topology.target() : Double.NaN));
            Comparison ringRow = new Comparison(rowName + PingPongLatency.RING_ONLY + sizeLabel, peer, "msg/s", true,
                Double.NaN);
            if (topology.chronicle()) {
                Comparison chronicleRow = new Comparison(rowName + " vs " + Peer.CHRONICLE.label() + sizeLabel,
                    Peer.CHRONICLE.label(), "msg/s", true, Double.NaN);
                rows.add(chronicleRow);
                List<ChildJvm> chronicleChildren = new ArrayList<>();
                try {
                    Side chronicle = start(Peer.CHRONICLE, topology, length, options, files, chronicleChildren);
                    for (ChildJvm child : chronicleChildren) {
                        child.await("READY", options.stepTimeout());
                    }
                    children.addAll(chronicleChildren);
                    sides.add(chronicle);
                } catch (BenchException e) {
                    ChildJvm.endAll(chronicleChildren, false);
                    String why = "Chronicle Queue could not run on Java " + Runtime.version().feature() + ": "
                        + e.getMessage();
                    log.println(why);
                    chronicleRow.note(why);
                }
            }
            List<StringBuilder> warmups = new ArrayList<>();
            sides.forEach(side -> warmups.add(new StringBuilder()));
            StringBuilder ringWarmups = new StringBuilder();
            long fitted = perPublisher;
            for (int i = 0; i < options.warmupRuns(); i++) {
                double slowest = Double.MAX_VALUE;
                for (int s = 0; s < sides.size(); s++) {
                    Map<String, String> result = runSideOnce(sides, s, fitted, options, rows, "warm-up", log);
                    if (result == null) {
                        break;
                    }
                    warmups.get(s).append(' ').append(rate(result));
                    slowest = Math.min(slowest, Double.parseDouble(result.get("rate")));
                }
                Map<String, String> ringResult = runOnce(ring, fitted, options);
                ringWarmups.append(' ').append(rate(ringResult));
                slowest = Math.min(slowest, Double.parseDouble(ringResult.get("rate")));
                if (i == 0) {
                    fitted = fitToBudget(perPublisher, topology.publishers(), slowest, options);
                }
            }
            if (options.warmupRuns() > 0) {
                for (int s = 0; s < sides.size(); s++) {
                    log.printf("warm-up  %-15s %s msg/s%n", sides.get(s).peer().label(), warmups.get(s));
                }
                log.printf("warm-up  %-15s %s msg/s%n", Peer.RING.label(), ringWarmups);
            }
            if (fitted < perPublisher) {
                log.printf("the machine is slow right now: runs shortened to %,d messages, about %.1f s each at the"
                    + " slowest first warm-up rate%n", fitted * topology.publishers(),
                    options.runBudget().toMillis() / 1e3);
                perPublisher = fitted;
            }
            for (int round = 1; round <= options.rounds(); round++) {
                measureRound(round, sides, ring, perPublisher, rows, ringRow, options, floor, log);
            }
            completed = true;
            rows.add(ringRow);
            return rows;
        } finally {
            ChildJvm.endAll(children, completed);
        }
    }

    /**
     * One measured round: ringbus (public API), then each peer (the bare ring right after Agrona), each
     * after a floor check, and a floor check after all; the pairs go to {@code rows} and {@code ringRow}.
     */
    private static void measureRound(int round, List<Side> sides, Side ring, long perPublisher,
        List<Comparison> rows, Comparison ringRow, RingOptions options, FloorCheck floor, PrintStream log) {
        long ringbusFloor = floor.measure();
        Map<String, String> ringbusResult = runOnce(sides.get(0), perPublisher, options);
        log(log, round, Peer.RINGBUS, ringbusFloor, ringbusResult);
        long peerFloor = floor.measure();
        for (int s = 1; s < sides.size(); s++) {
            Map<String, String> peerResult = runSideOnce(sides, s, perPublisher, options, rows,
                "round " + round, log);
            if (peerResult == null) {
                break;
            }
            log(log, round, sides.get(s).peer(), peerFloor, peerResult);
            long afterFloor = floor.measure();
            Comparison.Pair pair = new Comparison.Pair(round, ringbusFloor, peerFloor, afterFloor,
                Double.parseDouble(ringbusResult.get("rate")), Double.parseDouble(peerResult.get("rate")));
            rows.get(s - 1).add(pair);
            logCounted(log, pair, "ringbus vs " + sides.get(s).peer().label(), options);
            long runFloor = peerFloor;
            peerFloor = afterFloor;
            if (sides.get(s).peer() == Peer.AGRONA) {
                // The bare ring right after Agrona: its pair is (Agrona, ring) with the floors around both.
                Map<String, String> ringResult = runOnce(ring, perPublisher, options);
                log(log, round, Peer.RING, afterFloor, ringResult);
                long afterRing = floor.measure();
                Comparison.Pair ringPair = new Comparison.Pair(round, afterFloor, runFloor,
                    afterRing, Double.parseDouble(ringResult.get("rate")),
                    Double.parseDouble(peerResult.get("rate")));
                ringRow.add(ringPair);
                logCounted(log, ringPair, "ringbus ring vs Agrona", options);
                peerFloor = afterRing;
            }
        }
        log.printf("round %d  after    floor p50 %5d ns%n", round, peerFloor);
    }

    /**
     * Runs side {@code s} once. Chronicle Queue's side (always the last) that fails is ended and dropped,
     * its row noting why, and null returned: a peer failing mid-run costs its own row, not the benchmark.
     * Any other side's failure ends the benchmark.
     */
    private static Map<String, String> runSideOnce(List<Side> sides, int s, long perPublisher, RingOptions options,
        List<Comparison> rows, String when, PrintStream log) {
        Side side = sides.get(s);
        try {
            return runOnce(side, perPublisher, options);
        } catch (BenchException e) {
            if (side.peer() != Peer.CHRONICLE) {
                throw e;
            }
            ChildJvm.endAll(side.publishers(), false);
            ChildJvm.endAll(side.subscribers(), false);
            sides.remove(s);
            String why = "Chronicle Queue failed in " + when + ": " + e.getMessage();
            log.println(why);
            rows.get(s - 1).note(why);
            return null;
        }
    }

    private static Side start(Peer peer, Topology topology, int length, RingOptions options, BenchFiles files,
        List<ChildJvm> children) {
        String name = topology.name() + "-" + topology.publishers() + "-" + length;
        String size = Integer.toString(length);
        List<List<String>> subscriberArgs = new ArrayList<>();
        String subscriberRole;
        String publisherRole;
        String publisherRing = null;
        List<String> bus = List.of();
        if (peer == Peer.RINGBUS) {
            bus = BusEndpoints.args(files.directory("bus-" + name), options.capacity(), topology.ringbusMode(),
                topology.publishers());
            subscriberRole = BusThroughput.SUBSCRIBER_ROLE;
            publisherRole = BusThroughput.PUBLISHER_ROLE;
            for (int i = 0; i < topology.subscribers(); i++) {
                List<String> args = new ArrayList<>(bus);
                args.add(size);
                subscriberArgs.add(args);
            }
        } else if (peer == Peer.RING) {
            String ring = files.ringbusRing(name, options.capacity(), topology.ringbusMode()).toString();
            publisherRing = ring;
            subscriberRole = RingbusThroughput.SUBSCRIBER_ROLE;
            publisherRole = RingbusThroughput.PUBLISHER_ROLE;
            for (int i = 0; i < topology.subscribers(); i++) {
                subscriberArgs.add(List.of(ring, Integer.toString(topology.publishers()), size));
            }
        } else if (peer == Peer.CHRONICLE) {
            subscriberRole = ChronicleQueuePeer.SUBSCRIBER_ROLE;
            publisherRole = ChronicleQueuePeer.PUBLISHER_ROLE;
            subscriberArgs.add(List.of(Integer.toString(topology.publishers()), size));
        } else {
            // Agrona's ring buffers have one consumer each: one ring per subscriber, the publisher writes into all.
            List<String> rings = new ArrayList<>();
            for (int i = 0; i < topology.subscribers(); i++) {
                String ring = files.agronaRing(name + "-" + i, options.capacity()).toString();
                rings.add(ring);
                subscriberArgs.add(List.of(ring, topology.agronaKind(), Integer.toString(topology.publishers()),
                    size));
            }
            publisherRing = String.join(",", rings);
            subscriberRole = AgronaThroughput.SUBSCRIBER_ROLE;
            publisherRole = AgronaThroughput.PUBLISHER_ROLE;
        }
        List<String> flags = new ArrayList<>(peer.jvmFlags());
        flags.addAll(idleFlags(topology, CPUS));
        List<ChildJvm> subscribers = new ArrayList<>();
        for (int i = 0; i < subscriberArgs.size(); i++) {
            ChildJvm subscriber = ChildJvm.start(subscriberRole + (i == 0 ? "" : "-" + i), RingRoles.class, flags,
                subscriberRole, options.stepTimeout(), subscriberArgs.get(i));
            children.add(subscriber);
            subscribers.add(subscriber);
        }
        List<ChildJvm> publishers = new ArrayList<>();
        for (int id = 0; id < topology.publishers(); id++) {
            List<String> args = switch (peer) {
                case RINGBUS -> {
                    List<String> own = new ArrayList<>(bus);
                    own.add(Integer.toString(id));
                    own.add(size);
                    own.add(Integer.toString(topology.batch()));
                    yield own;
                }
                case RING -> List.of(publisherRing, Integer.toString(id), size);
                case CHRONICLE -> List.of(Integer.toString(id), size);
                default -> List.of(publisherRing, topology.agronaKind(), Integer.toString(id), size);
            };
            ChildJvm publisher = ChildJvm.start(publisherRole + "-" + id, RingRoles.class, flags, publisherRole,
                options.stepTimeout(), args);
            children.add(publisher);
            publishers.add(publisher);
        }
        return new Side(peer, subscribers, publishers, files);
    }

    /**
     * The flags every child of {@code topology} gets, whichever ring it runs, for how its loops wait on a
     * machine with {@code cpus} cores: yield (see the class comment) when the topology has more processes
     * than cores, else none (spin).
     */
    static List<String> idleFlags(Topology topology, int cpus) {
        return topology.publishers() + topology.subscribers() > cpus
            ? List.of("-D" + SpinGuard.IDLE_PROPERTY + "=yield") : List.of();
    }

    /**
     * Messages per publisher for a run that takes about {@link RingOptions#runBudget()} at
     * {@code rate}: never more than asked for, never fewer than {@link #MIN_MESSAGES} in all.
     */
    private static long fitToBudget(long perPublisher, int publishers, double rate, RingOptions options) {
        double budgetSeconds = options.runBudget().toNanos() / 1e9;
        long fitting = (long) (rate * budgetSeconds) / publishers;
        return Math.min(perPublisher, Math.max(fitting, MIN_MESSAGES / publishers));
    }

    private static Map<String, String> runOnce(Side side, long perPublisher, RingOptions options) {
        long total = perPublisher * side.publishers().size();
        // A queue only grows: Chronicle Queue gets a fresh directory per run (its subscriber deletes the last).
        String queue = side.peer() == Peer.CHRONICLE
            ? " " + side.files().directory("chronicle-throughput-" + CHRONICLE_RUNS.incrementAndGet()) : "";
        for (ChildJvm subscriber : side.subscribers()) {
            subscriber.send("RUN " + total + queue);
            subscriber.await("ARMED", options.stepTimeout());
        }
        for (ChildJvm publisher : side.publishers()) {
            publisher.send("RUN " + perPublisher + queue);
        }
        // With several subscribers, the run's rate is the slowest subscriber's: every one must get every message.
        Map<String, String> result = null;
        for (ChildJvm subscriber : side.subscribers()) {
            Map<String, String> one = subscriber.awaitResult(options.stepTimeout(), side.publishers());
            if (result == null) {
                result = one;
                continue;
            }
            if (Double.parseDouble(one.get("rate")) < Double.parseDouble(result.get("rate"))) {
                result.put("rate", one.get("rate"));
                result.put("nanos", one.get("nanos"));
            }
            result.put("errors", Long.toString(sum(result, one, "errors")));
            result.put("alloc", Long.toString(sum(result, one, "alloc")));
        }
        long publisherAllocations = 0;
        for (ChildJvm publisher : side.publishers()) {
            String done = publisher.awaitAny(options.stepTimeout(), side.subscribers(), "DONE");
            publisherAllocations += Long.parseLong(done.substring(done.indexOf("alloc=") + "alloc=".length()));
        }
        result.put("publisherAlloc", Long.toString(publisherAllocations));
        long errors = Long.parseLong(result.get("errors"));
        if (errors != 0) {
            throw new BenchException(side.peer().label() + " subscribers saw " + errors + " of " + total
                + " messages out of sequence (lost, repeated or reordered)");
        }
        return result;
    }

    /** Says in the run log when a round's pair is not counted (its floor checks disagree). */
    static void logCounted(PrintStream log, Comparison.Pair pair, String what, RingOptions options) {
        String line = pair.notCountedLine(what, options.floorTolerance());
        if (line != null) {
            log.println(line);
        }
    }

    private static long sum(Map<String, String> a, Map<String, String> b, String key) {
        return Long.parseLong(a.get(key)) + Long.parseLong(b.get(key));
    }

    /** The message length from a child's optional argument {@code index}, else {@link #MESSAGE_LENGTH}. */
    static int length(String[] args, int index) {
        return args.length > index ? Integer.parseInt(args[index]) : MESSAGE_LENGTH;
    }

    private static String rate(Map<String, String> result) {
        return Figures.rate(Double.parseDouble(result.get("rate")));
    }

    private static void log(PrintStream log, int round, Peer peer, long floor, Map<String, String> result) {
        log.printf("round %d  %-15s  floor p50 %5d ns | %s msg/s  (%,d messages in %.1f ms; allocated %s B by the"
            + " subscribers, %s B by the publishers)%n", round, peer.label(), floor, rate(result),
            Long.parseLong(result.get("messages")), Long.parseLong(result.get("nanos")) / 1e6, result.get("alloc"),
            result.get("publisherAlloc"));
    }
}
