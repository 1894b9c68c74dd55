package io.ringbus.examples.bench;

import io.ringbus.core.ring.ProducerMode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

    /** One topology: what to call it, how many publishers, which ring modes. */
    record Topology(String name, int publishers, ProducerMode ringbusMode, String agronaKind, double target) {
    }

    private record Side(Impl impl, ChildJvm subscriber, List<ChildJvm> publishers) {
    }

    private ThroughputHarness() {
    }

    static Comparison run(Topology topology, BenchOptions options, BenchFiles files, FloorCheck floor,
        PrintStream log) {
        long perPublisher = options.messages() / topology.publishers();
        long total = perPublisher * topology.publishers();
        log.printf("%n== %s throughput: %d publisher process%s, 1 subscriber, %d-byte messages, %,d per run ==%n",
            topology.name(), topology.publishers(), topology.publishers() == 1 ? "" : "es", MESSAGE_LENGTH, total);
        List<ChildJvm> children = new ArrayList<>();
        boolean completed = false;
        try {
            Side ringbus = start(Impl.RINGBUS, topology, options, files, children);
            Side agrona = start(Impl.AGRONA, topology, options, files, children);
            for (ChildJvm child : children) {
                child.await("READY", options.stepTimeout());
            }
            StringBuilder ringbusWarmup = new StringBuilder();
            StringBuilder agronaWarmup = new StringBuilder();
            long fitted = perPublisher;
            for (int i = 0; i < options.warmupRuns(); i++) {
                Map<String, String> ringbusResult = runOnce(ringbus, fitted, options);
                Map<String, String> agronaResult = runOnce(agrona, fitted, options);
                ringbusWarmup.append(' ').append(rate(ringbusResult));
                agronaWarmup.append(' ').append(rate(agronaResult));
                if (i == 0) {
                    double slower = Math.min(Double.parseDouble(ringbusResult.get("rate")),
                        Double.parseDouble(agronaResult.get("rate")));
                    fitted = fitToBudget(perPublisher, topology.publishers(), slower, options);
                }
            }
            if (options.warmupRuns() > 0) {
                log.printf("warm-up  %-7s %s msg/s%nwarm-up  %-7s %s msg/s%n", Impl.RINGBUS.label(), ringbusWarmup,
                    Impl.AGRONA.label(), agronaWarmup);
            }
            if (fitted < perPublisher) {
                log.printf("the machine is slow right now: runs shortened to %,d messages, about %.1f s each at the"
                    + " slower first warm-up rate%n", fitted * topology.publishers(),
                    options.runBudget().toMillis() / 1e3);
                perPublisher = fitted;
            }
            Comparison row = new Comparison(topology.name() + " throughput", "msg/s", true, topology.target());
            for (int round = 1; round <= options.rounds(); round++) {
                long ringbusFloor = floor.measure();
                Map<String, String> ringbusResult = runOnce(ringbus, perPublisher, options);
                log(log, round, Impl.RINGBUS, ringbusFloor, ringbusResult);
                long agronaFloor = floor.measure();
                Map<String, String> agronaResult = runOnce(agrona, perPublisher, options);
                log(log, round, Impl.AGRONA, agronaFloor, agronaResult);
                long afterFloor = floor.measure();
                log.printf("round %d  after    floor p50 %5d ns%n", round, afterFloor);
                row.add(new Comparison.Pair(round, ringbusFloor, agronaFloor, afterFloor,
                    Double.parseDouble(ringbusResult.get("rate")), Double.parseDouble(agronaResult.get("rate"))));
            }
            completed = true;
            return row;
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
        } else {
            ring = files.agronaRing(name, options.capacity()).toString();
            subscriberRole = AgronaThroughput.SUBSCRIBER_ROLE;
            publisherRole = AgronaThroughput.PUBLISHER_ROLE;
            subscriberArgs = List.of(ring, topology.agronaKind(), Integer.toString(topology.publishers()));
        }
        boolean flags = impl.needsAgronaFlags();
        ChildJvm subscriber = ChildJvm.start(subscriberRole, flags, subscriberRole, options.stepTimeout(),
            subscriberArgs);
        children.add(subscriber);
        List<ChildJvm> publishers = new ArrayList<>();
        for (int id = 0; id < topology.publishers(); id++) {
            List<String> args = impl == Impl.RINGBUS ? List.of(ring, Integer.toString(id))
                : List.of(ring, topology.agronaKind(), Integer.toString(id));
            ChildJvm publisher = ChildJvm.start(publisherRole + "-" + id, flags, publisherRole,
                options.stepTimeout(), args);
            children.add(publisher);
            publishers.add(publisher);
        }
        return new Side(impl, subscriber, publishers);
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
        side.subscriber().send("RUN " + total);
        side.subscriber().await("ARMED", options.stepTimeout());
        for (ChildJvm publisher : side.publishers()) {
            publisher.send("RUN " + perPublisher);
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
        log.printf("round %d  %-7s  floor p50 %5d ns | %s msg/s  (%,d messages in %.1f ms; allocated %s B by the"
            + " subscriber, %s B by the publishers)%n", round, impl.label(), floor, rate(result),
            Long.parseLong(result.get("messages")), Long.parseLong(result.get("nanos")) / 1e6, result.get("alloc"),
            result.get("publisherAlloc"));
    }
}
