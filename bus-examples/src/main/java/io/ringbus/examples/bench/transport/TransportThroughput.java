package io.ringbus.examples.bench.transport;

import io.ringbus.examples.bench.child.BenchException;
import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.child.ChildJvm;
import io.ringbus.examples.bench.floor.FloorCheck;
import io.ringbus.examples.bench.report.Comparison;
import io.ringbus.examples.bench.report.Figures;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Throughput over one access path, each way, beside the raw JDK channel of the same kind batching by
 * hand, in the same run.
 *
 * <pre>
 *   publish:    client JVM                      bridge JVM
 *               publisher (path P) ──frames──▶ session ─▶ "up" ring ─▶ consumer (shm peer)
 *   subscribe:  client JVM                      bridge JVM
 *               subscriber (path P) ◀─frames── session ◀─ "down" ring ◀─ producer (shm peer)
 *   raw:        writer JVM ──64 KiB writes of framed messages──▶ reader JVM (parses, copies out)
 *   raw3 (--three-stage): the raw pair with a thread hand-off added on the bridge's side, each way
 *               (RawStaged): publish: writer JVM ──▶ reader JVM: socket thread ─▶ Agrona ring ─▶ main thread;
 *               subscribe: writer JVM: main thread ─▶ Agrona ring ─▶ sender thread ──▶ reader JVM
 *   shm:        publisher JVM ─▶ "up" ring ─▶ consumer (peer JVM)
 * </pre>
 *
 * <p>The publisher offers as fast as it is let: a stream publisher frames into its send buffer and
 * writes what the socket takes, so it batches by itself once the window is full; after a refused
 * offer it idles as the wait mode says. The raw writer gathers 64 KiB of messages per write. The
 * consumer copies every message out, checks its sequence and times the first to the last; a run
 * that lost, repeated or reordered anything fails the benchmark. Warm-up runs first (the first
 * sizes each side's runs to the run budget), then rounds of ringbus publish, raw, ringbus
 * subscribe (with three stages: ringbus publish, raw3 publish, raw, raw3 subscribe, ringbus subscribe),
 * each after a {@link FloorCheck}; both ringbus directions are compared with the raw run of their round
 * (and with the raw3 run of their direction, which is compared with the raw run).
 */
final class TransportThroughput {
    /** Target: the path's messages per second at least this fraction of the raw channel's. */
    static final double TARGET = 0.8;
    private static final long MIN_MESSAGES = 10_000;

    /** The rows of one variant; {@code subscribe} is null on {@code shm:}, {@code staged} without three stages. */
    record Rows(Comparison publish, Comparison subscribe, Staged staged) {
    }

    /**
     * The three-stage raw peers' rows ({@link RawStaged}): each direction's three-stage raw run against the
     * plain raw run (the ceiling: raw-3 / raw-2), and ringbus against the three-stage run (ringbus / raw-3).
     */
    record Staged(Comparison publishCeiling, Comparison publish, Comparison subscribeCeiling,
        Comparison subscribe) {
        static Staged create() {
            String raw = TransportReport.RAW_PEER;
            return new Staged(new Comparison("publish, raw3 vs raw", raw, "msg/s", true, Double.NaN),
                new Comparison("publish, ringbus vs raw3", RAW3_PEER, "msg/s", true, Double.NaN),
                new Comparison("subscribe, raw3 vs raw", raw, "msg/s", true, Double.NaN),
                new Comparison("subscribe, ringbus vs raw3", RAW3_PEER, "msg/s", true, Double.NaN));
        }
    }

    /** The peer of the ringbus / raw-3 rows. */
    static final String RAW3_PEER = "raw channel, three stages";
    private static final String RINGBUS_PUBLISH = "ringbus publish";
    private static final String RINGBUS_SUBSCRIBE = "ringbus subscribe";
    private static final String RAW = "raw";
    private static final String RAW3_PUBLISH = "raw3 publish";
    private static final String RAW3_SUBSCRIBE = "raw3 subscribe";

    /** One direction: who consumes (and how it is told), who produces. */
    private static final class Flow {
        private final String label;
        private final ChildJvm consumer;
        private final String consumeCommand;
        private final ChildJvm producer;
        private final String produceCommand;
        private long messages;

        Flow(String label, ChildJvm consumer, String consumeCommand, ChildJvm producer, String produceCommand,
            long messages) {
            this.label = label;
            this.consumer = consumer;
            this.consumeCommand = consumeCommand;
            this.producer = producer;
            this.produceCommand = produceCommand;
            this.messages = messages;
        }
    }

    private TransportThroughput() {
    }

    static Rows run(TransportVariant variant, TransportOptions options, BenchFiles files, FloorCheck floor,
        PrintWriter log) {
        log.printf("%n== throughput, %s: %d-byte messages, up to %,d per run ==%n", variant.label(), options.size(),
            options.messages());
        List<ChildJvm> children = new ArrayList<>();
        boolean completed = false;
        try {
            RingbusSide side = RingbusSide.start(variant, "tput", options, files, children);
            List<Flow> flows = start(variant, side, options, children);
            side.awaitReady(children, options);
            for (int i = 0; i < options.warmupRuns(); i++) {
                StringBuilder line = new StringBuilder("warm-up ");
                for (Flow flow : flows) {
                    Map<String, String> result = runOnce(flow, options);
                    double rate = Double.parseDouble(result.get("rate"));
                    line.append(String.format(" %s %s msg/s;", flow.label, Figures.rate(rate)));
                    if (i == 0) {
                        flow.messages = fit(options, rate);
                    }
                }
                log.println(line);
            }
            if (options.warmupRuns() > 0) {
                StringBuilder line = new StringBuilder("messages per measured run:");
                for (Flow flow : flows) {
                    line.append(String.format(" %s %,d;", flow.label, flow.messages));
                }
                log.println(line);
            }
            String peer = TransportReport.RAW_PEER;
            Rows rows = new Rows(new Comparison(variant.via().isStream() ? "publish" : "throughput", peer, "msg/s",
                true, variant.hasRawPeer() && options.targeted() ? TARGET : Double.NaN),
                variant.via().isStream()
                    ? new Comparison("subscribe", peer, "msg/s", true, options.targeted() ? TARGET : Double.NaN)
                    : null, options.threeStage(variant) ? Staged.create() : null);
            for (int round = 1; round <= options.rounds(); round++) {
                rounds(round, flows, rows, floor, options, log);
            }
            completed = true;
            return rows;
        } finally {
            ChildJvm.endAll(children, completed);
        }
    }

    /**
     * One round: ringbus publish, raw, ringbus subscribe (the ones this variant has), floors around each; with
     * three stages, ringbus publish, raw3 publish, raw, raw3 subscribe, ringbus subscribe.
     */
    private static void rounds(int round, List<Flow> flows, Rows rows, FloorCheck floor, TransportOptions options,
        PrintWriter log) {
        long[] floors = new long[flows.size() + 1];
        double[] rates = new double[flows.size()];
        for (int i = 0; i < flows.size(); i++) {
            floors[i] = floor.measure();
            Map<String, String> result = runOnce(flows.get(i), options);
            rates[i] = Double.parseDouble(result.get("rate"));
            log(log, round, flows.get(i).label, floors[i], result, options.size());
        }
        floors[flows.size()] = floor.measure();
        log.printf("round %d  after              floor p50 %5d ns%n", round, floors[flows.size()]);
        log.flush();
        if (flows.size() == 1) {
            rows.publish().add(new Comparison.Pair(round, floors[0], floors[1], floors[1], rates[0], Double.NaN));
            return;
        }
        // each run is paired with the run it is compared with, beside it: the floors before both and after both
        int raw = index(flows, RAW);
        rows.publish().add(pair(round, index(flows, RINGBUS_PUBLISH), raw, floors, rates));
        rows.subscribe().add(pair(round, index(flows, RINGBUS_SUBSCRIBE), raw, floors, rates));
        Staged staged = rows.staged();
        if (staged != null) {
            int publish3 = index(flows, RAW3_PUBLISH);
            int subscribe3 = index(flows, RAW3_SUBSCRIBE);
            staged.publishCeiling().add(pair(round, publish3, raw, floors, rates));
            staged.publish().add(pair(round, index(flows, RINGBUS_PUBLISH), publish3, floors, rates));
            staged.subscribeCeiling().add(pair(round, subscribe3, raw, floors, rates));
            staged.subscribe().add(pair(round, index(flows, RINGBUS_SUBSCRIBE), subscribe3, floors, rates));
        }
    }

    /** Run {@code first} against run {@code second}: the floors before each, and the one after the later run. */
    private static Comparison.Pair pair(int round, int first, int second, long[] floors, double[] rates) {
        return new Comparison.Pair(round, floors[first], floors[second], floors[Math.max(first, second) + 1],
            rates[first], rates[second]);
    }

    private static int index(List<Flow> flows, String label) {
        for (int i = 0; i < flows.size(); i++) {
            if (flows.get(i).label.equals(label)) {
                return i;
            }
        }
        throw new IllegalStateException("no run " + label);
    }

    /** Starts the clients and the raw pair; returns the flows in the order of a round. */
    private static List<Flow> start(TransportVariant variant, RingbusSide side, TransportOptions options,
        List<ChildJvm> children) {
        String name = variant.fileName() + "-" + options.size() + "-tput";
        ChildJvm publisher = side.startClient(children, name + "-publisher", TopicEndpoints.PUBLISHER_ROLE, options);
        List<Flow> flows = new ArrayList<>();
        flows.add(new Flow(variant.via().isStream() ? RINGBUS_PUBLISH : "ringbus", side.peer(), "CONSUME",
            publisher, "RUN", options.messages()));
        if (!variant.via().isStream()) {
            return flows;
        }
        ChildJvm subscriber = side.startClient(children, name + "-subscriber", TopicEndpoints.SUBSCRIBER_ROLE,
            options);
        List<String> rawArgs = List.of(side.rawListenUri(), variant.waitMode().label(),
            Integer.toString(options.size()));
        ChildJvm reader = RingbusSide.start(children, name + "-raw-reader", RawThroughput.READER_ROLE, rawArgs,
            options);
        String address = RingbusSide.listening(reader, options);
        ChildJvm writer = RingbusSide.start(children, name + "-raw-writer", RawThroughput.WRITER_ROLE,
            List.of(address, variant.waitMode().label(), Integer.toString(options.size())), options);
        if (options.threeStage(variant)) {
            flows.add(rawFlow(RAW3_PUBLISH, side, name + "-raw3p", "r3p", RawStaged.READER_ROLE,
                RawThroughput.WRITER_ROLE, variant, options, children));
        }
        flows.add(new Flow(RAW, reader, "RUN", writer, "RUN", options.messages()));
        if (options.threeStage(variant)) {
            flows.add(rawFlow(RAW3_SUBSCRIBE, side, name + "-raw3s", "r3s", RawThroughput.READER_ROLE,
                RawStaged.WRITER_ROLE, variant, options, children));
        }
        flows.add(new Flow(RINGBUS_SUBSCRIBE, subscriber, "RUN", side.peer(), "PRODUCE", options.messages()));
        return flows;
    }

    /** A raw reader and writer pair of the given roles, listening at {@code listenName} (see RingbusSide). */
    private static Flow rawFlow(String label, RingbusSide side, String name, String listenName, String readerRole,
        String writerRole, TransportVariant variant, TransportOptions options, List<ChildJvm> children) {
        String wait = variant.waitMode().label();
        String size = Integer.toString(options.size());
        ChildJvm reader = RingbusSide.start(children, name + "-reader", readerRole, RawStaged.JVM_FLAGS,
            List.of(side.rawListenUri(listenName), wait, size), options);
        String address = RingbusSide.listening(reader, options);
        ChildJvm writer = RingbusSide.start(children, name + "-writer", writerRole, RawStaged.JVM_FLAGS,
            List.of(address, wait, size), options);
        return new Flow(label, reader, "RUN", writer, "RUN", options.messages());
    }

    /** Messages for a run of about the run budget at {@code rate}: never more than asked, never too few. */
    private static long fit(TransportOptions options, double rate) {
        long fitting = (long) (rate * options.runBudget().toNanos() / 1e9);
        return Math.min(options.messages(), Math.max(MIN_MESSAGES, fitting));
    }

    private static Map<String, String> runOnce(Flow flow, TransportOptions options) {
        flow.consumer.send(flow.consumeCommand + " " + flow.messages);
        flow.consumer.await("ARMED", options.stepTimeout());
        flow.producer.send(flow.produceCommand + " " + flow.messages);
        Map<String, String> result = flow.consumer.awaitResult(options.stepTimeout());
        String done = flow.producer.await("DONE", options.stepTimeout());
        result.put("producerAlloc", done.substring(done.indexOf("alloc=") + "alloc=".length()));
        long errors = Long.parseLong(result.get("errors"));
        if (errors != 0) {
            throw new BenchException(flow.label + ": the consumer saw " + errors + " of " + flow.messages
                + " messages out of sequence (lost, repeated or reordered)");
        }
        return result;
    }

    private static void log(PrintWriter log, int round, String label, long floor, Map<String, String> result,
        int size) {
        double rate = Double.parseDouble(result.get("rate"));
        log.printf("round %d  %-17s  floor p50 %5d ns | %s msg/s  %s  (%,d messages in %.1f ms; allocated %s B by the"
            + " consumer, %s B by the producer)%n", round, label, floor, Figures.rate(rate),
            TransportReport.megabytes(rate, size), Long.parseLong(result.get("messages")),
            Long.parseLong(result.get("nanos")) / 1e6, result.get("alloc"), result.get("producerAlloc"));
    }
}
