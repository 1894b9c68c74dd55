package io.ringbus.examples.bench;

import io.ringbus.examples.cli.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bus bench wakeup}: what each way of waiting costs. For each {@link io.ringbus.core.WakeupMode}
 * two JVMs ping-pong 64-byte messages over two topics of a bus in /dev/shm, both sides waiting in
 * {@code Subscriber.await}; then a blocking subscriber waits with no traffic and reports its CPU use.
 */
@Command(name = "wakeup",
    mixinStandardHelpOptions = true,
    description = {"Round trip of the bus per wakeup mode (spin, blocking, signal), two JVMs, 64-byte messages,",
        "and the CPU an idle blocking subscriber uses."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":the table was printed",
        "1:a child JVM failed, or --round-trips / --idle-seconds out of range; the one-line message says which",
        ExitCodes.USAGE,
        ExitCodes.SIGNALS},
    footer = {"", "Example: ./bus bench wakeup --round-trips 20000"})
public final class WakeupBenchCommand implements Callable<Integer> {
    @Option(names = "--round-trips", description = "Measured round trips per mode (default: ${DEFAULT-VALUE};"
        + " signal mode does a quarter).")
    long roundTrips = 20_000;

    @Option(names = "--idle-seconds", description = "How long the idle subscriber waits (default: ${DEFAULT-VALUE}).")
    long idleSeconds = 3;

    @Override
    public Integer call() throws IOException {
        if (roundTrips < 100 || idleSeconds < 1) {
            throw new IllegalArgumentException("--round-trips must be at least 100 and --idle-seconds at least 1");
        }
        Path directory = Files.createTempDirectory(Path.of("/dev/shm"), "ringbus-wakeup-bench-");
        List<String> rows = new ArrayList<>();
        try {
            for (String mode : List.of("SPIN", "BLOCKING", "SIGNAL")) {
                long count = mode.equals("SIGNAL") ? roundTrips / 4 : roundTrips;
                Map<String, String> result = pingPong(directory.resolve(mode.toLowerCase()), mode, count);
                rows.add(String.format("%-9s %,12d %,12d %,12d %,12d   %,d round trips", mode.toLowerCase(),
                    Long.parseLong(result.get("p50")), Long.parseLong(result.get("p90")),
                    Long.parseLong(result.get("p99")), Long.parseLong(result.get("max")), count));
            }
            String idle = idleCpu(directory.resolve("idle"));
            System.out.println();
            System.out.printf("%-9s %12s %12s %12s %12s%n", "mode", "p50 ns", "p90 ns", "p99 ns", "max ns");
            rows.forEach(System.out::println);
            System.out.println("idle blocking subscriber: " + idle + "% of one core over " + idleSeconds + " s");
            return 0;
        } finally {
            deleteTree(directory);
        }
    }

    private Map<String, String> pingPong(Path bus, String mode, long count) {
        Duration timeout = Duration.ofMinutes(3);
        System.err.println("wakeup bench: " + mode.toLowerCase() + " ...");
        try (ChildJvm pong = ChildJvm.start("pong-" + mode, false, BusWakeupRoles.PONG_ROLE, timeout,
                List.of(bus.toString(), mode));
            ChildJvm ping = startAfter(pong, bus, mode, timeout)) {
            long warmup = Math.max(1_000, count / 4);
            pong.send("RUN " + warmup);
            pong.await("ARMED", timeout);
            ping.send("RUN " + warmup);
            ping.awaitResult(timeout);
            pong.await("DONE", timeout);
            pong.send("RUN " + count);
            pong.await("ARMED", timeout);
            ping.send("RUN " + count);
            Map<String, String> result = ping.awaitResult(timeout);
            pong.await("DONE", timeout);
            return result;
        }
    }

    private static ChildJvm startAfter(ChildJvm pong, Path bus, String mode, Duration timeout) {
        pong.await("READY", timeout);
        ChildJvm ping = ChildJvm.start("ping-" + mode, false, BusWakeupRoles.PING_ROLE, timeout,
            List.of(bus.toString(), mode));
        ping.await("READY", timeout);
        return ping;
    }

    private String idleCpu(Path bus) {
        Duration timeout = Duration.ofMinutes(1);
        try (ChildJvm pong = ChildJvm.start("idle", false, BusWakeupRoles.PONG_ROLE, timeout,
            List.of(bus.toString(), "BLOCKING"))) {
            pong.await("READY", timeout);
            pong.send("IDLE 1");
            pong.awaitResult(timeout);
            pong.send("IDLE " + idleSeconds);
            return pong.awaitResult(timeout).get("cpuPercent");
        }
    }

    private static void deleteTree(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
