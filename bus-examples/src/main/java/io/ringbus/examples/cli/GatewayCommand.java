package io.ringbus.examples.cli;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.SlowConsumerPolicy;
import io.ringbus.core.StartPosition;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.transport.gateway.Gateway;
import io.ringbus.transport.gateway.GatewayDriver;
import io.ringbus.transport.gateway.GatewayStatus;
import io.ringbus.transport.gateway.Route;
import io.ringbus.examples.support.DurationConverter;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.examples.support.SizeConverter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bus gateway --export TOPIC=CHANNEL --import TOPIC=CHANNEL}: topics across hosts over Aeron (see
 * {@code bus-examples/GATEWAY.md}). The Aeron client needs {@code --add-exports java.base/jdk.internal.misc},
 * which the {@code ./bus} launcher gives to this command only.
 */
@Command(name = "gateway",
    mixinStandardHelpOptions = true,
    description = {"Mirrors local topics onto Aeron channels (--export) and remote ones into local topics (--import),"
            + " so that applications on every host keep using shared memory. Runs until Ctrl-C / SIGTERM, printing"
            + " one line per route every --stats-interval: messages, bytes, losses, whether the other side is there.",
        "Order: each topic arrives in the order of the source ring. An exporter is a durable subscriber named after"
            + " its channel and stream (aeron-XXXXXXXX): tethered by default (a slow or absent importer holds the"
            + " source's publishers back once they are a ring ahead), or --evictable (they go on; the importer"
            + " prints a LOSS line with the exact range of source positions it will never get).",
        "Killed (kill -9 too) and restarted, an exporter resumes at its last commit: what it sends again, the"
            + " importer drops (by source position); what the dead driver held and had not delivered is lost and"
            + " reported as LOSS by the importer. An importer restarted gets what comes from then on.",
        "Stream ids: 10000 + CRC-32(topic) mod 1000000 unless --stream says otherwise; both hosts must agree.",
        "One thread does all the work (the embedded driver's and every route's), sleeping up to --max-park between"
            + " messages and --quiet-park once none moved for a second."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":stopped (only through a signal: see 130)",
        "1:a failure the one-line message explains (no live driver in --aeron-dir, a gateway of that --name"
            + " already on this bus, a message over the publication's maximum, a closed publication)",
        ExitCodes.USAGE,
        ExitCodes.SIGNALS + ", after every route stopped and the embedded driver's directory was deleted"},
    footer = {"", "Examples:",
        "  # host A publishes quotes; host B (10.0.0.2) subscribes to them",
        "  hostA$ ./bus gateway --export quotes=aeron:udp?endpoint=10.0.0.2:40456",
        "  hostB$ ./bus gateway --import quotes=aeron:udp?endpoint=10.0.0.2:40456",
        "  hostB$ ./bus sub quotes                                  # hostA$ ./bus pub quotes",
        "",
        "  # two buses on one machine, over loopback",
        "  ./bus gateway --bus a --export t=aeron:udp?endpoint=localhost:40456 &",
        "  ./bus gateway --bus b --import t=aeron:udp?endpoint=localhost:40456 &",
        "  ./bus sub t --bus b &  printf 'x\\ny\\n' | ./bus pub t --bus a",
        "",
        "  # many hosts: a multicast group; an external media driver",
        "  ./bus gateway --export quotes=aeron:udp?endpoint=239.1.1.1:40456|interface=10.0.0.0/24",
        "  ./bus gateway --aeron-dir /dev/shm/aeron-$USER --import quotes=aeron:udp?endpoint=10.0.0.2:40456"})
public final class GatewayCommand implements Callable<Integer> {
    private static final long STATUS_INTERVAL_NANOS = 1_000_000_000L;

    @Spec
    CommandSpec spec;

    @Mixin
    BusOptions bus;

    @Option(names = "--export", paramLabel = "TOPIC=CHANNEL",
        description = "Send the local TOPIC to the Aeron CHANNEL (such as aeron:udp?endpoint=hostB:40456). Repeatable.")
    List<String> exports = new ArrayList<>();

    @Option(names = "--import", paramLabel = "TOPIC=CHANNEL",
        description = "Publish what arrives on CHANNEL into the local TOPIC (created if missing). Repeatable.")
    List<String> imports = new ArrayList<>();

    @Option(names = "--stream", paramLabel = "TOPIC=ID",
        description = "The Aeron stream id of TOPIC, instead of the derived one (the same on both hosts). Repeatable.")
    List<String> streams = new ArrayList<>();

    @Option(names = "--aeron-dir", paramLabel = "DIR",
        description = "Use the external Aeron media driver running in DIR, instead of an embedded one (whose"
            + " directory is BUSDIR/.aeron-NAME, deleted on exit and, after a crash, on the next start).")
    Path aeronDir;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "gateway",
        description = "Names this gateway's embedded driver, to run several on one bus (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--evictable", description = "Exporters never hold the local publishers back: after"
        + " --evict-after of a full ring they are evicted, and the importer reports a LOSS.")
    boolean evictable;

    @Option(names = "--evict-after", paramLabel = "MILLIS", defaultValue = "5000",
        description = "With --evictable: how long an exporter may hold publishers back (default: ${DEFAULT-VALUE} ms).")
    long evictAfterMillis;

    @Option(names = "--from", paramLabel = "latest|earliest", defaultValue = "latest",
        description = "Where an exporter's first run starts: the next message (latest) or the oldest still in the"
            + " ring (earliest). An exporter that ran before resumes where it stopped instead.")
    String from;

    @Option(names = "--term-length", paramLabel = "BYTES", converter = SizeConverter.class, defaultValue = "4m",
        description = "Term length of the embedded driver's publications, a power of two from 64k to 1g (default:"
            + " 4m); the largest message is an eighth of it.")
    int termLength;

    @Option(names = "--max-park", paramLabel = "DURATION", converter = DurationConverter.class,
        defaultValue = "1ms", description = "Longest sleep of the gateway's thread (driver and routes) between"
            + " messages (default: 1ms).")
    Duration maxPark;

    @Option(names = "--quiet-park", paramLabel = "DURATION", converter = DurationConverter.class,
        defaultValue = "10ms", description = "Sleep of the gateway's thread once no message moved for a second:"
            + " longer saves CPU while idle, shorter makes the first message after a pause wait less on each"
            + " gateway it crosses (default: 10ms; --max-park up to 1s).")
    Duration quietPark;

    @Option(names = "--stats-interval", paramLabel = "DURATION", converter = DurationConverter.class,
        defaultValue = "10s", description = "How often to print the status lines; 0 for never (default: 10s).")
    Duration statsInterval;

    private long lastStatusFailure = System.nanoTime() - 120_000_000_000L;

    @Override
    public Integer call() throws InterruptedException {
        GatewayDriver.requireJvmFlag();
        List<Route> exported = routes(exports, "--export");
        List<Route> imported = routes(imports, "--import");
        validate(exported, imported);
        BusContext context = bus.context();
        PrintWriter out = spec.commandLine().getOut();
        Consumer<String> log = line -> out.println(line);
        // SIGINT and SIGTERM are handled here, not by the JVM's shutdown (which could end the process while the
        // routes and the driver were still closing): the command stops the routes, prints the final status
        // lines, closes the driver (deleting its directory), then exits with 128 + the signal number. Other
        // endings (SIGHUP) still get the shutdown hook, closed last so that it waits for all of that.
        AtomicInteger signal = new AtomicInteger();
        CountDownLatch stop = new CountDownLatch(1);
        try (Interruption interruption = new Interruption(stop::countDown, true);
            TerminationSignals.Installed handlers = TerminationSignals.handle(number -> {
                signal.compareAndSet(0, number);
                stop.countDown();
            });
            Bus opened = Bus.open(context);
            GatewayDriver driver = aeronDir != null
                ? GatewayDriver.external(aeronDir, maxPark.toNanos(), quietPark.toNanos(), log)
                : GatewayDriver.embedded(context.directory(), name, termLength, maxPark.toNanos(), quietPark.toNanos(),
                    log)) {
            runUntilStopped(opened, driver, exported, imported, stop, out, log,
                GatewayStatus.fileOf(context.directory(), name));
        }
        out.flush();
        return signal.get() == 0 ? 0 : 128 + signal.get();
    }

    private void runUntilStopped(Bus opened, GatewayDriver driver, List<Route> exported, List<Route> imported,
        CountDownLatch stop, PrintWriter out, Consumer<String> log, Path statusFile) throws InterruptedException {
        Gateway gateway = Gateway.start(opened, driver, exported, imported, this::exportConfig, log);
        long started = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli)
            .orElse(System.currentTimeMillis());
        long nextStatus = System.nanoTime();
        try {
            out.println("gateway ready: " + exported.size() + " exported, " + imported.size() + " imported, "
                + (driver.embedded() ? "embedded" : "external") + " media driver in " + driver.directory());
            out.flush();
            long intervalNanos = statsInterval.toNanos();
            long nextStats = System.nanoTime() + intervalNanos;
            // A signal ends the wait at once; the rest (a route's failure, the status) can wait 200 ms: waking 20
            // times a second cost an idle gateway 0.3% of a core.
            while (!stop.await(200, TimeUnit.MILLISECONDS) && gateway.failure() == null) {
                if (System.nanoTime() - nextStatus >= 0) {
                    nextStatus += STATUS_INTERVAL_NANOS;
                    writeStatus(statusFile, gateway, driver, started, log);
                }
                if (intervalNanos > 0 && System.nanoTime() - nextStats >= 0) {
                    nextStats += intervalNanos;
                    gateway.statusLines().forEach(line -> out.println("stat " + line));
                    out.flush();
                }
            }
        } finally {
            gateway.close();
            gateway.statusLines().forEach(line -> out.println("stat " + line));
            out.flush();
            try {
                Files.deleteIfExists(statusFile);
            } catch (IOException e) {
                log.accept("cannot delete " + statusFile + ": " + e + " (./bus stat shows it as a dead gateway's)");
            }
        }
        Throwable failure = gateway.failure();
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        } else if (failure instanceof Error error) {
            throw error;
        }
    }

    /** The status file {@code bus stat} reads; a failure to write it is noted once a minute at most. */
    private void writeStatus(Path file, Gateway gateway, GatewayDriver driver, long started, Consumer<String> log) {
        try {
            GatewayStatus.write(file, new GatewayStatus.Snapshot(name, ProcessHandle.current().pid(), started,
                System.currentTimeMillis(), driver.directory(), gateway.routeStatus()));
        } catch (IOException e) {
            if (System.nanoTime() - lastStatusFailure > 60_000_000_000L) {
                lastStatusFailure = System.nanoTime();
                log.accept("cannot write the status file " + file + " for ./bus stat: " + e);
            }
        }
    }

    private List<Route> routes(List<String> values, String option) {
        Map<String, Integer> streamIds = streamIds();
        List<Route> routes = new ArrayList<>();
        for (String value : values) {
            int equals = value.indexOf('=');
            if (equals <= 0 || equals == value.length() - 1) {
                throw new ParameterException(spec.commandLine(), option + " takes TOPIC=CHANNEL, such as quotes="
                    + "aeron:udp?endpoint=hostB:40456, not '" + value + "'");
            }
            String topic = value.substring(0, equals);
            String channel = value.substring(equals + 1);
            try {
                BusContext.checkTopicName(topic);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
            }
            if (!channel.startsWith("aeron:")) {
                throw new ParameterException(spec.commandLine(), option + " " + topic + ": '" + channel + "' is not"
                    + " an Aeron channel (aeron:udp?endpoint=HOST:PORT, or aeron:ipc on one host)");
            }
            routes.add(new Route(topic, channel, streamIds.getOrDefault(topic, Route.streamIdOf(topic))));
        }
        return routes;
    }

    private Map<String, Integer> streamIds() {
        Map<String, Integer> ids = new HashMap<>();
        for (String value : streams) {
            int equals = value.indexOf('=');
            try {
                if (equals <= 0) {
                    throw new NumberFormatException();
                }
                ids.put(value.substring(0, equals), Integer.parseInt(value.substring(equals + 1)));
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--stream takes TOPIC=ID with an integer ID, such as"
                    + " quotes=1001, not '" + value + "'");
            }
        }
        return ids;
    }

    private void validate(List<Route> exported, List<Route> imported) {
        if (exported.isEmpty() && imported.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "give at least one --export TOPIC=CHANNEL or"
                + " --import TOPIC=CHANNEL");
        }
        from = from.toLowerCase(Locale.ROOT);
        if (!from.equals("latest") && !from.equals("earliest")) {
            throw new ParameterException(spec.commandLine(), "--from must be latest or earliest, not '" + from + "'");
        }
        if (evictAfterMillis <= 0) {
            throw new ParameterException(spec.commandLine(), "--evict-after must be a positive number of ms");
        }
        if (Integer.bitCount(termLength) != 1 || termLength < (64 << 10) || termLength > (1 << 30)) {
            throw new ParameterException(spec.commandLine(), "--term-length must be a power of two from 64k to 1g,"
                + " not " + termLength);
        }
        if (aeronDir != null && spec.commandLine().getParseResult().hasMatchedOption("--term-length")) {
            throw new ParameterException(spec.commandLine(), "--term-length sets the embedded driver's; with"
                + " --aeron-dir put term-length=... in the channel instead");
        }
        if (maxPark.toMillis() < 1 || maxPark.toMillis() > 1_000) {
            throw new ParameterException(spec.commandLine(), "--max-park must be from 1ms to 1s, not "
                + maxPark.toMillis() + "ms");
        }
        if (quietPark.compareTo(maxPark) < 0 || quietPark.toMillis() > 1_000) {
            throw new ParameterException(spec.commandLine(), "--quiet-park must be from --max-park ("
                + maxPark.toMillis() + "ms) to 1s, not " + quietPark.toMillis() + "ms");
        }
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new ParameterException(spec.commandLine(), "--name must be 1-64 letters, digits, '.', '_' or '-',"
                + " starting with a letter or digit, not '" + name + "'");
        }
    }

    /** A fresh exporter base config (each exporter gets its own, as the gateway completes it per route). */
    private SubscriberConfig exportConfig() {
        SubscriberConfig config = new SubscriberConfig()
            .start(from.equals("earliest") ? StartPosition.EARLIEST : StartPosition.LATEST);
        if (evictable) {
            config.slowConsumerPolicy(SlowConsumerPolicy.EVICT).evictAfter(Duration.ofMillis(evictAfterMillis));
        }
        return config;
    }
}
