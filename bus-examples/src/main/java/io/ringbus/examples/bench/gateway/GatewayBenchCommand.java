package io.ringbus.examples.bench.gateway;

import io.ringbus.examples.bench.child.BenchCleanup;
import io.ringbus.examples.bench.child.BenchException;
import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.child.ChildJvm;
import io.ringbus.examples.bench.floor.FloorCheck;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.stress.common.JvmLauncher;
import io.ringbus.transport.gateway.GatewayDriver;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bus bench gateway}: the gateway path beside raw Aeron, in the same run, over loopback UDP; and the CPU
 * of an idle gateway. Runs alternate gateway, raw, gateway, raw, each after a {@link FloorCheck}; a round counts
 * when its two floor checks agree.
 *
 * <pre>
 *   gateway:  bus-end A ─ring─▶ gateway A ──udp──▶ gateway B ─ring─▶ bus-end B ─┐ echo
 *             bus-end A ◀ring─ gateway A ◀──udp── gateway B ◀ring─ bus-end B ◀─┘
 *   raw:      aeron-end A ──────────udp (same drivers)──────────▶ aeron-end B ─┐ echo
 *             aeron-end A ◀─────────────────────────────────────── aeron-end B ◀┘
 * </pre>
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
    description = {
        "Round trip and throughput of the gateway path (a ring on bus A, gateway A, Aeron over loopback UDP, gateway"
            + " B, a ring on bus B; the echo comes back the same way) beside raw Aeron between two JVMs, each with an"
            + " embedded driver on a thread of its own as Aeron's samples run it (the gateway's idle strategy and term"
            + " length), measured in the same run, alternating; then the CPU an idle"
            + " gateway uses.",
        "Targets: round trip at most 1.2x raw Aeron's, throughput at least 0.8x, an idle gateway under 2%% of a core.",
        "Six child JVMs (two gateways, two bus ends, two raw Aeron ends) and two floor-check JVMs; measured at load"
            + " 5: about 35 s with --quick, a minute without (longer on a busy machine)."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":the table was printed; a missed target shows as its verdict, not in the status",
        "1:a child JVM failed or hung, or the files could not be made; the one-line message says which",
        "2:bad usage",
        ExitCodes.SIGNALS + ", after killing the child JVMs and removing the files"},
    footer = {"", "Examples:", "  ./bus bench gateway --quick", "  ./bus bench gateway --size 1024 --rounds 3"})
public final class GatewayBenchCommand implements Callable<Integer> {
    static final String AERON_FLAG = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    private static final double FLOOR_TOLERANCE = 0.30;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "Fewer rounds and shorter runs: about 35 s at load 5.")
    private boolean quick;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "64",
        description = "Payload bytes per message (default ${DEFAULT-VALUE}).")
    private int size;

    @Option(names = "--rounds", paramLabel = "N", description = "Measured runs per side and measure (default 5;"
        + " --quick 2).")
    private Integer rounds;

    @Option(names = "--idle-seconds", paramLabel = "S", description = "How long the idle gateway's CPU is measured"
        + " (default 10; --quick 3).")
    private Integer idleSeconds;

    @Option(names = "--only", paramLabel = "MEASURE", description = "Measure only this: round-trip or throughput"
        + " (default both; the idle CPU is measured either way).")
    private String only;

    @Option(names = "--child-jvm-option", paramLabel = "OPTION",
        description = "An option for every child JVM alike; repeatable (e.g. -XX:+FlightRecorder).")
    private List<String> childJvmOptions;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
        description = "Longest a child JVM may take over one step (default ${DEFAULT-VALUE}).")
    private long timeoutSeconds;

    /**
     * One side's figures of one round; the CPU, in ms per million messages of its throughput run, of the two
     * threads that carry the messages across (see {@link Throughput}) and of the two gateway processes (NaN on
     * raw Aeron's side).
     */
    private record Run(double p50Micros, double p99Micros, double messagesPerSecond, long floorNanos,
        double carrierCpu, double gatewayCpu) {
    }

    /**
     * One throughput run: messages per second, and CPU in ms per million messages (NaN when unknown) of the
     * carrying thread on host A and on host B (a gateway's thread, {@code bus-gateway}; a raw Aeron end's driver
     * thread), of the two gateway processes (NaN on raw Aeron's side) and of the measuring ends' processes less
     * their carrying threads.
     */
    private record Throughput(double messagesPerSecond, double carrierA, double carrierB, double gateways,
        double ends) {
        double carriers() {
            return carrierA + carrierB;
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (size < 16 || size > 65_536 || timeoutSeconds < 1) {
            err.println("bench gateway: --size must be 16 to 65536 bytes, --timeout at least 1 s");
            err.flush();
            return 2;
        }
        if (only != null && !only.equals("round-trip") && !only.equals("throughput")) {
            err.println("bench gateway: --only takes round-trip or throughput, not '" + only + "'");
            err.flush();
            return 2;
        }
        boolean measureRoundTrip = only == null || only.equals("round-trip");
        boolean measureThroughput = only == null || only.equals("throughput");
        int roundCount = rounds != null ? rounds : quick ? 2 : 5;
        long warmup = quick ? 2_000 : 10_000;
        long timed = quick ? 5_000 : 20_000;
        long budgetMillis = quick ? 1_500 : 4_000;
        long messages = (quick ? 300_000 : 1_000_000) * 64 / Math.max(64, size);
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        ChildJvm.extraOptions(childJvmOptions == null ? List.of() : childJvmOptions);
        BenchFiles files;
        try {
            files = BenchFiles.create();
        } catch (UncheckedIOException e) {
            err.println("bench gateway: " + e.getMessage());
            err.flush();
            return 1;
        }
        BenchCleanup cleanup = BenchCleanup.register("bench-gateway", files);
        List<ChildJvm> children = new ArrayList<>();
        try (FloorCheck floor = FloorCheck.start(files, 5_000, timeout)) {
            out.printf("bench gateway: %d-byte messages over loopback UDP, %d rounds; java %s, %d CPUs (%s)%n", size,
                roundCount, Runtime.version(), Runtime.getRuntime().availableProcessors(), JvmLauncher.javaBinary());
            out.printf("  drivers: embedded; a gateway's runs on the gateway's one thread, a raw end's on a thread of"
                + " its own (SHARED), both backing off to 1 ms parks; the measuring ends spin; round trips: %,d warm-up"
                + " then up to %,d timed (%d ms at most); throughput: %,d messages, first to last at the receiver%n",
                warmup, timed, budgetMillis, messages);
            out.flush();
            Pair gateway = gatewayPair(files, timeout, children);
            Pair raw = rawPair(files, timeout, children);
            for (Pair pair : List.of(gateway, raw)) {
                roundTrip(pair, warmup * 5, 1_000, budgetMillis, timeout); // untimed: compile, connect
                // Untimed too: with half a run here, the gateway's first rounds were still being compiled
                // (its throughput rose from round to round: 2.0, 2.6, 2.6, 3.3 M msg/s, then level).
                for (int i = 0; i < 3; i++) {
                    throughput(pair, messages, timeout);
                }
            }
            List<Run> gatewayRuns = new ArrayList<>();
            List<Run> rawRuns = new ArrayList<>();
            for (int round = 1; round <= roundCount; round++) {
                for (Pair pair : List.of(gateway, raw)) {
                    long floorNanos = floor.measure();
                    Map<String, String> rtt = measureRoundTrip
                        ? roundTrip(pair, warmup, timed, budgetMillis, timeout)
                        : Map.of("p50", "0", "p99", "0", "count", "0");
                    Throughput tp = measureThroughput ? throughput(pair, messages, timeout)
                        : new Throughput(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
                    double rate = tp.messagesPerSecond();
                    Run run = new Run(Long.parseLong(rtt.get("p50")) / 1e3, Long.parseLong(rtt.get("p99")) / 1e3,
                        rate, floorNanos, tp.carriers(), tp.gateways());
                    (pair == gateway ? gatewayRuns : rawRuns).add(run);
                    String roundTripText = measureRoundTrip ? String.format("round trip p50 %8.1f us  p99 %8.1f us"
                        + " (%s timed)  ", run.p50Micros(), run.p99Micros(), rtt.get("count")) : "";
                    String throughputText = !measureThroughput ? ""
                        : String.format("throughput %,11.0f msg/s  cpu ms/M msgs: carriers %4.0f (A %4.0f, B %4.0f),"
                            + "%s ends %4.0f  ", rate, tp.carriers(), tp.carrierA(), tp.carrierB(),
                            Double.isNaN(tp.gateways()) ? "" : String.format(" gateways %4.0f,", tp.gateways()),
                            tp.ends());
                    out.printf("  round %d %-9s %s%sfloor %d ns%n", round, pair.label(), roundTripText,
                        throughputText, floorNanos);
                    out.flush();
                }
            }
            int idleMillis = (idleSeconds != null ? idleSeconds : quick ? 3 : 10) * 1000;
            // Past the first second of a pause (GatewayDriver.QUIET_AFTER_NANOS), when the gateway parks longer.
            Thread.sleep(GatewayDriver.QUIET_AFTER_NANOS / 1_000_000 + 1_000);
            Map<String, String> idle = gateway.host().send("IDLE " + idleMillis, timeout);
            double idlePercent = 100.0 * Long.parseLong(idle.get("cpuNanos")) / Long.parseLong(idle.get("wallNanos"));
            printTable(out, gatewayRuns, rawRuns, idlePercent, idleMillis);
            return 0;
        } catch (BenchException | UncheckedIOException | IOException e) {
            out.flush();
            err.println("bench gateway: " + e.getMessage());
            err.flush();
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        } finally {
            ChildJvm.endAll(children, true);
            cleanup.close();
        }
    }

    /**
     * The two measuring ends of one link, and (for the gateway path) the exporting gateway, for its idle CPU; and
     * where a throughput run reads the CPU: the processes of the carrying threads on hosts A and B (the gateways;
     * raw Aeron's ends), those threads' names, and the gateway processes (none on raw Aeron's side).
     */
    private record Pair(String label, ChildJvm a, ChildJvm b, Host host, List<Long> carrierPids,
        Predicate<String> carrier, List<Long> gatewayPids) {
    }

    /** The exporting gateway's child, asked for its idle CPU. */
    private record Host(ChildJvm child) {
        Map<String, String> send(String command, Duration timeout) {
            child.send(command);
            return child.awaitResult(timeout);
        }
    }

    private Pair gatewayPair(BenchFiles files, Duration timeout, List<ChildJvm> children) throws IOException {
        String busA = files.directory("gateway-bus-a").toString();
        String busB = files.directory("gateway-bus-b").toString();
        String toB = channel(freeUdpPort());
        String toA = channel(freeUdpPort());
        ChildJvm gatewayA = child("gateway-a", true, GatewayBenchRoles.GATEWAY, timeout, children, busA,
            GatewayBenchRoles.PING_TOPIC + "=" + toB + "," + GatewayBenchRoles.THROUGHPUT_TOPIC + "=" + toB,
            GatewayBenchRoles.PONG_TOPIC + "=" + toA);
        ChildJvm gatewayB = child("gateway-b", true, GatewayBenchRoles.GATEWAY, timeout, children, busB,
            GatewayBenchRoles.PONG_TOPIC + "=" + toA,
            GatewayBenchRoles.PING_TOPIC + "=" + toB + "," + GatewayBenchRoles.THROUGHPUT_TOPIC + "=" + toB);
        gatewayA.await("READY", timeout);
        gatewayB.await("READY", timeout);
        String size = Integer.toString(this.size);
        ChildJvm a = child("bus-end-a", false, GatewayBenchRoles.BUS_END, timeout, children, busA,
            GatewayBenchRoles.PING_TOPIC, GatewayBenchRoles.PONG_TOPIC, GatewayBenchRoles.THROUGHPUT_TOPIC, size);
        ChildJvm b = child("bus-end-b", false, GatewayBenchRoles.BUS_END, timeout, children, busB,
            GatewayBenchRoles.PONG_TOPIC, GatewayBenchRoles.PING_TOPIC, GatewayBenchRoles.THROUGHPUT_TOPIC, size);
        a.await("READY", timeout);
        b.await("READY", timeout);
        List<Long> gateways = List.of(gatewayA.pid(), gatewayB.pid());
        return new Pair("gateway", a, b, new Host(gatewayA), gateways, "bus-gateway"::equals, gateways);
    }

    private Pair rawPair(BenchFiles files, Duration timeout, List<ChildJvm> children) throws IOException {
        String drivers = files.directory("raw-aeron").toString();
        int portA = freeUdpPort();
        int portB = freeUdpPort();
        String size = Integer.toString(this.size);
        ChildJvm a = child("aeron-end-a", true, GatewayBenchRoles.AERON_END, timeout, children, drivers, "a",
            channel(portB), channel(portA), size);
        ChildJvm b = child("aeron-end-b", true, GatewayBenchRoles.AERON_END, timeout, children, drivers, "b",
            channel(portA), channel(portB), size);
        a.await("READY", timeout);
        b.await("READY", timeout);
        // Agrona names a driver's thread after its agent, whose name starts with the driver's directory (under
        // drivers); Linux keeps the first 15 characters of it.
        String prefix = drivers.substring(0, Math.min(15, drivers.length()));
        return new Pair("raw Aeron", a, b, null, List.of(a.pid(), b.pid()), name -> name.startsWith(prefix),
            List.of());
    }

    private static ChildJvm child(String label, boolean aeron, String role, Duration timeout, List<ChildJvm> children,
        String... args) {
        ChildJvm child = ChildJvm.start(label, GatewayBenchRoles.class, aeron ? List.of(AERON_FLAG) : List.of(), role,
            timeout, Arrays.asList(args));
        children.add(child);
        return child;
    }

    private static Map<String, String> roundTrip(Pair pair, long warmup, long timed, long budgetMillis,
        Duration timeout) {
        pair.b().send("ECHO");
        pair.a().send("PING " + warmup + " " + timed + " " + budgetMillis);
        Map<String, String> result = pair.a().awaitResult(timeout, List.of(pair.b()));
        pair.b().await("DONE", timeout);
        return result;
    }

    /** One throughput run; the CPU is read from before the sender starts to after it is done. */
    private static Throughput throughput(Pair pair, long messages, Duration timeout) {
        pair.b().send("SINK " + messages);
        pair.b().await("ARMED", timeout);
        long[] before = cpuOf(pair);
        pair.a().send("SEND " + messages);
        Map<String, String> result = pair.b().awaitResult(timeout, List.of(pair.a()));
        pair.a().await("DONE", timeout);
        long[] after = cpuOf(pair);
        double[] perMillion = new double[before.length]; // ns per message is ms per million messages
        for (int i = 0; i < before.length; i++) {
            perMillion[i] = before[i] < 0 || after[i] < 0 ? Double.NaN : (after[i] - before[i]) / (double) messages;
        }
        return new Throughput(messages * 1e9 / Math.max(1, Long.parseLong(result.get("nanos"))), perMillion[0],
            perMillion[1], perMillion[2], perMillion[3] - (pair.gatewayPids().isEmpty() ? perMillion[0]
                + perMillion[1] : 0));
    }

    /**
     * CPU nanoseconds so far of the carrying thread on host A, on host B, of the gateway processes (-1 on raw
     * Aeron's side) and of the ends' processes.
     */
    private static long[] cpuOf(Pair pair) {
        List<Long> gateways = pair.gatewayPids();
        return new long[] {ProcessCpu.threadNanos(pair.carrierPids().get(0), pair.carrier()),
            ProcessCpu.threadNanos(pair.carrierPids().get(1), pair.carrier()),
            gateways.isEmpty() ? -1 : ProcessCpu.nanos(gateways), ProcessCpu.nanos(List.of(pair.a().pid(),
            pair.b().pid()))};
    }

    private static void printTable(PrintWriter out, List<Run> gateway, List<Run> raw, double idlePercent,
        int idleMillis) {
        List<Integer> counted = new ArrayList<>();
        for (int i = 0; i < gateway.size(); i++) {
            long f1 = gateway.get(i).floorNanos();
            long f2 = raw.get(i).floorNanos();
            if (Math.abs(f1 - f2) <= FLOOR_TOLERANCE * Math.min(f1, f2)) {
                counted.add(i);
            }
        }
        List<Integer> used = counted.isEmpty() ? allIndexes(gateway.size()) : counted;
        out.printf("%nbench gateway: medians of %d of %d rounds%s; ratio = gateway / raw Aeron (same run)%n",
            used.size(), gateway.size(), counted.isEmpty() ? " (no round's floor checks agreed: all shown, noisy)"
                : " (rounds whose floor checks agreed within 30%)");
        out.printf("  %-24s %14s %14s %8s %10s  %s%n", "measure", "gateway", "raw Aeron", "ratio", "target",
            "verdict");
        if (gateway.get(0).p50Micros() > 0) { // not with --only throughput
            row(out, "round trip p50 (us)", median(gateway, used, Run::p50Micros),
                median(raw, used, Run::p50Micros), "<= 1.2x", true, 1.2);
            row(out, "round trip p99 (us)", median(gateway, used, Run::p99Micros),
                median(raw, used, Run::p99Micros), "", true, Double.NaN);
        }
        if (!Double.isNaN(gateway.get(0).messagesPerSecond())) { // not with --only round-trip
            row(out, "throughput (msg/s)", median(gateway, used, Run::messagesPerSecond),
                median(raw, used, Run::messagesPerSecond), ">= 0.8x", false, 0.8);
            row(out, "carriers' CPU (ms/M)", median(gateway, used, Run::carrierCpu),
                median(raw, used, Run::carrierCpu), "", true, Double.NaN);
            out.printf("  %-24s %14.0f%n", "gateways' CPU (ms/M)", median(gateway, used, Run::gatewayCpu));
            out.printf("  (CPU of the throughput runs from /proc, in ms per million messages: the carrying threads, the"
                + " gateways' and raw Aeron's drivers' on hosts A and B; the gateway processes)%n");
        }
        out.printf("  %-24s %13.2f%% %14s %8s %10s  %s%n", "idle gateway CPU", idlePercent, "", "", "< 2%",
            idlePercent < 2.0 ? "met" : "missed");
        out.printf("  (idle: the exporting gateway's process CPU over %d s with nothing sent, from %d s after the last"
            + " message, in %% of one core; the gateway parks up to %d ms for the first %d s of a pause, then %d ms)%n",
            idleMillis / 1000, GatewayDriver.QUIET_AFTER_NANOS / 1_000_000_000L + 1,
            GatewayDriver.DEFAULT_MAX_PARK_NANOS / 1_000_000, GatewayDriver.QUIET_AFTER_NANOS / 1_000_000_000L,
            GatewayDriver.DEFAULT_QUIET_PARK_NANOS / 1_000_000);
        out.flush();
    }

    private static void row(PrintWriter out, String name, double gateway, double raw, String target,
        boolean lowerIsBetter, double limit) {
        double ratio = gateway / raw;
        String verdict = Double.isNaN(limit) ? "" : (lowerIsBetter ? ratio <= limit : ratio >= limit) ? "met"
            : "missed";
        out.printf("  %-24s %,14.1f %,14.1f %7.2fx %10s  %s%n", name, gateway, raw, ratio, target, verdict);
    }

    private static double median(List<Run> runs, List<Integer> used, ToDoubleFunction<Run> f) {
        double[] values = used.stream().mapToDouble(i -> f.applyAsDouble(runs.get(i))).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static List<Integer> allIndexes(int n) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        return all;
    }

    private static String channel(int port) {
        return "aeron:udp?endpoint=127.0.0.1:" + port;
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
