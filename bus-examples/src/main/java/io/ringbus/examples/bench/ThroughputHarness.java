package io.ringbus.examples.bench;

import io.ringbus.core.ring.ProducerMode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@link OneToOneThroughput} and {@link ManyToOneThroughput} share: start one subscriber JVM
 * and N publisher JVMs per ring, warm both rings up with unrecorded runs, then measure rounds of
 * ringbus run, Agrona run, each after a {@link FloorCheck}, all in the same processes.
 *
 * <p>One run: the parent arms the subscriber (it answers {@code ARMED} and starts polling), then
 * tells every publisher to send its share of the messages as fast as the ring takes them. The
 * subscriber times from its first message to its last and reports messages per second; it also
 * checks every publisher's sequence, and a run with a lost or reordered message fails the benchmark.
 *
 * <p>When the machine is busy (other builds on its two cores), the first warm-up round shows it: the
 * rest of the runs, of both rings alike, are then shortened to about {@link BenchOptions#runBudget()}
 * each at the slower ring's rate, so that the whole benchmark keeps to its time.
 */
final class ThroughputHarness {
    static final int MESSAGE_LENGTH = 64;
    static final int MESSAGE_TYPE = 1;
    /** Fewest messages a run is shortened to when the machine is slow. */
    static final long MIN_MESSAGES = 200_000;
    private static final AtomicLong CHRONICLE_RUNS = new AtomicLong();

    /**
     * One topology: what to call it, how many publishers, which ring modes, the target against Agrona,
     * and whether Chronicle Queue runs too (a row for information: no target set for it).
     */
    record Topology(String name, int publishers, ProducerMode ringbusMode, String agronaKind, double target,
        boolean chronicle) {
    }

    private record Side(Impl impl, ChildJvm subscriber, List<ChildJvm> publishers, BenchFiles files) {
    }

    private ThroughputHarness() {
    }

    /** Runs the topology; returns the row against Agrona, then the one against Chronicle Queue if it has one. */
    static List<Comparison> run(Topology topology, BenchOptions options, BenchFiles files, FloorCheck floor,
        PrintStream log) {
        long perPublisher = options.messages() / topology.publishers();
        long total = perPublisher * topology.publishers();
        log.printf("%n== %s throughput: %d publisher process%s, 1 subscriber, %d-byte messages, %,d per run ==%n",
            topology.name(), topology.publishers(), topology.publishers() == 1 ? "" : "es", MESSAGE_LENGTH, total);
        List<ChildJvm> children = new ArrayList<>();
        boolean completed = false;
        try {
            List<Side> sides = new ArrayList<>();
            sides.add(start(Impl.RINGBUS, topology, options, files, children));
            sides.add(start(Impl.AGRONA, topology, options, files, children));
            for (ChildJvm child : children) {
                child.await("READY", options.stepTimeout());
            }
            List<Comparison> rows = new ArrayList<>();
            rows.add(new Comparison(topology.name() + " throughput", "msg/s", true, topology.target()));
            if (topology.chronicle()) {
                Comparison chronicleRow = new Comparison(topology.name() + " throughput vs " + Impl.CHRONICLE.label(),
                    Impl.CHRONICLE.label(), "msg/s", true, Double.NaN);
                rows.add(chronicleRow);
                List<ChildJvm> chronicleChildren = new ArrayList<>();
                try {
                    Side chronicle = start(Impl.CHRONICLE, topology, options, files, chronicleChildren);
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
            long fitted = perPublisher;
            for (int i = 0; i < options.warmupRuns(); i++) {
                double slowest = Double.MAX_VALUE;
                for (int s = 0; s < sides.size(); s++) {
                    Map<String, String> result = runOnce(sides.get(s), fitted, options);
                    warmups.get(s).append(' ').append(rate(result));
                    slowest = Math.min(slowest, Double.parseDouble(result.get("rate")));
                }
                if (i == 0) {
                    fitted = fitToBudget(perPublisher, topology.publishers(), slowest, options);
                }
            }
            if (options.warmupRuns() > 0) {
                for (int s = 0; s < sides.size(); s++) {
                    log.printf("warm-up  %-15s %s msg/s%n", sides.get(s).impl().label(), warmups.get(s));
                }
            }
            if (fitted < perPublisher) {
                log.printf("the machine is slow right now: runs shortened to %,d messages, about %.1f s each at the"
                    + " slowest first warm-up rate%n", fitted * topology.publishers(),
                    options.runBudget().toMillis() / 1e3);
                perPublisher = fitted;
            }
            for (int round = 1; round <= options.rounds(); round++) {
                long ringbusFloor = floor.measure();
                Map<String, String> ringbusResult = runOnce(sides.get(0), perPublisher, options);
                log(log, round, Impl.RINGBUS, ringbusFloor, ringbusResult);
                long peerFloor = floor.measure();
                for (int s = 1; s < sides.size(); s++) {
                    Map<String, String> peerResult = runOnce(sides.get(s), perPublisher, options);
                    log(log, round, sides.get(s).impl(), peerFloor, peerResult);
                    long afterFloor = floor.measure();
                    rows.get(s - 1).add(new Comparison.Pair(round, ringbusFloor, peerFloor, afterFloor,
                        Double.parseDouble(ringbusResult.get("rate")), Double.parseDouble(peerResult.get("rate"))));
                    peerFloor = afterFloor;
                }
                log.printf("round %d  after    floor p50 %5d ns%n", round, peerFloor);
            }
            completed = true;
            return rows;
        } finally {
            ChildJvm.endAll(children, completed);
        }
    }

    private static Side start(Impl impl, Topology topology, BenchOptions options, BenchFiles files,
        List<ChildJvm> children) {
        String name = topology.name() + "-" + topology.publishers();
        String ring;
        String subscriberRole;
        String publisherRole;
        List<String> subscriberArgs;
        if (impl == Impl.RINGBUS) {
            ring = files.ringbusRing(name, options.capacity(), topology.ringbusMode()).toString();
            subscriberRole = RingbusThroughput.SUBSCRIBER_ROLE;
            publisherRole = RingbusThroughput.PUBLISHER_ROLE;
            subscriberArgs = List.of(ring, Integer.toString(topology.publishers()));
        } else if (impl == Impl.CHRONICLE) {
            ring = null;
            subscriberRole = ChronicleQueuePeer.SUBSCRIBER_ROLE;
            publisherRole = ChronicleQueuePeer.PUBLISHER_ROLE;
            subscriberArgs = List.of(Integer.toString(topology.publishers()));
        } else {
            ring = files.agronaRing(name, options.capacity()).toString();
            subscriberRole = AgronaThroughput.SUBSCRIBER_ROLE;
            publisherRole = AgronaThroughput.PUBLISHER_ROLE;
            subscriberArgs = List.of(ring, topology.agronaKind(), Integer.toString(topology.publishers()));
        }
        List<String> flags = impl.jvmFlags();
        ChildJvm subscriber = ChildJvm.start(subscriberRole, flags, subscriberRole, options.stepTimeout(),
            subscriberArgs);
        children.add(subscriber);
        List<ChildJvm> publishers = new ArrayList<>();
        for (int id = 0; id < topology.publishers(); id++) {
            List<String> args = switch (impl) {
                case RINGBUS -> List.of(ring, Integer.toString(id));
                case CHRONICLE -> List.of(Integer.toString(id));
                default -> List.of(ring, topology.agronaKind(), Integer.toString(id));
            };
            ChildJvm publisher = ChildJvm.start(publisherRole + "-" + id, flags, publisherRole,
                options.stepTimeout(), args);
            children.add(publisher);
            publishers.add(publisher);
        }
        return new Side(impl, subscriber, publishers, files);
    }

    /**
     * Messages per publisher for a run that takes about {@link BenchOptions#runBudget()} at
     * {@code rate}: never more than asked for, never fewer than {@link #MIN_MESSAGES} in all.
     */
    private static long fitToBudget(long perPublisher, int publishers, double rate, BenchOptions options) {
        double budgetSeconds = options.runBudget().toNanos() / 1e9;
        long fitting = (long) (rate * budgetSeconds) / publishers;
        return Math.min(perPublisher, Math.max(fitting, MIN_MESSAGES / publishers));
    }

    private static Map<String, String> runOnce(Side side, long perPublisher, BenchOptions options) {
        long total = perPublisher * side.publishers().size();
        // A queue only grows: Chronicle Queue gets a fresh directory per run (its subscriber deletes the last).
        String queue = side.impl() == Impl.CHRONICLE
            ? " " + side.files().directory("chronicle-throughput-" + CHRONICLE_RUNS.incrementAndGet()) : "";
        side.subscriber().send("RUN " + total + queue);
        side.subscriber().await("ARMED", options.stepTimeout());
        for (ChildJvm publisher : side.publishers()) {
            publisher.send("RUN " + perPublisher + queue);
        }
        Map<String, String> result = side.subscriber().awaitResult(options.stepTimeout());
        long publisherAllocations = 0;
        for (ChildJvm publisher : side.publishers()) {
            String done = publisher.await("DONE", options.stepTimeout());
            publisherAllocations += Long.parseLong(done.substring(done.indexOf("alloc=") + "alloc=".length()));
        }
        result.put("publisherAlloc", Long.toString(publisherAllocations));
        long errors = Long.parseLong(result.get("errors"));
        if (errors != 0) {
            throw new BenchException(side.impl().label() + " subscriber saw " + errors + " of " + total
                + " messages out of sequence (lost, repeated or reordered)");
        }
        return result;
    }

    private static String rate(Map<String, String> result) {
        return RingBenchCommand.formatRate(Double.parseDouble(result.get("rate")));
    }

    private static void log(PrintStream log, int round, Impl impl, long floor, Map<String, String> result) {
        log.printf("round %d  %-15s  floor p50 %5d ns | %s msg/s  (%,d messages in %.1f ms; allocated %s B by the"
            + " subscriber, %s B by the publishers)%n", round, impl.label(), floor, rate(result),
            Long.parseLong(result.get("messages")), Long.parseLong(result.get("nanos")) / 1e6, result.get("alloc"),
            result.get("publisherAlloc"));
    }
}
