package io.ringbus.examples.cli;

import io.ringbus.core.RingBusException;
import io.ringbus.transport.codec.CodecFlags;
import io.ringbus.transport.gateway.GatewayStatus;
import io.ringbus.core.os.MessageQueues;
import io.ringbus.core.topic.TopicFile;
import io.ringbus.transport.record.RecordingException;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.stress.common.Json;
import io.ringbus.examples.support.Sizes;
import io.ringbus.transport.stream.MqAcceptor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bus stat}: every topic of a bus directory with its shape, tail, publishers and subscribers
 * (alive or dead, position, lag, parked, evicted), read without joining anything. With {@code --watch}
 * it refreshes like {@code top}, adding each topic's rates and each subscriber's state.
 */
@Command(name = "stat",
    mixinStandardHelpOptions = true,
    description = {"Shows every topic of the bus: capacity, producer mode, tail position, each publisher (slot, pid,"
            + " alive or dead) and each subscriber (slot, pid, alive or dead, durable name, position, lag = tail -"
            + " position, parked, evicted). Joins nothing and changes nothing.",
        "A process is alive while it holds its slot's lock; the kernel drops the lock when it dies.",
        "With --watch it refreshes every --interval, like top (on a terminal it redraws the screen; otherwise it"
            + " prints a timestamped block each time): per topic the publishers, subscribers, tail, messages/s and"
            + " bytes/s since the last refresh (ring bytes, headers included; a message rate marked ~ is estimated,"
            + " because publishers went more than a ring ahead between two refreshes), and per subscriber its lag"
            + " and state: live, stopped (SIGSTOP), dead or evicted. With --json, one JSON object per line and"
            + " refresh (NDJSON).",
        "Gateways (bus gateway) of the bus follow the topics: per exported or imported topic its Aeron channel and"
            + " stream, whether the other side is connected, bytes/s, messages, losses, and the media driver's NAKs"
            + " and retransmissions (gap fills on an importer), from the status file each gateway writes every"
            + " second."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":shown (with --watch: --count refreshes shown, or standard output closed)",
        "1:the bus directory does not exist, or another failure the one-line message explains",
        ExitCodes.USAGE,
        ExitCodes.SIGNALS + " (how --watch ends without --count)"},
    footer = {"", "Examples:",
        "  ./bus stat",
        "  ./bus stat --dir /tmp/mybus --json | jq '.topics[].subscribers'",
        "  ./bus stat --watch                         # like top; Ctrl-C quits",
        "  ./bus stat --watch --interval 500ms --json # one JSON object per line (NDJSON)",
        "  ./bus stat --watch --count 5 --interval 2s > stat.log",
        "  ./bus stat --recordings /data/rec           # what ./bus record --to /data/rec holds"})
public final class StatCommand implements Callable<Integer> {
    private static final String CLEAR_SCREEN = "\033[H\033[2J";
    private static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
        .withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Mixin
    BusOptions bus;

    @Option(names = "--json", description = "One JSON document instead of text (with --watch: one per line).")
    boolean json;

    @Option(names = {"-w", "--watch"}, description = "Refresh every --interval until Ctrl-C (or --count refreshes),"
        + " with rates and subscriber states.")
    boolean watch;

    @Option(names = {"-i", "--interval"}, paramLabel = "TIME", defaultValue = "1s",
        converter = IntervalConverter.class,
        description = "Time between refreshes of --watch: 1s, 500ms, 2.5s, 1m (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = {"-n", "--count"}, paramLabel = "N",
        description = "With --watch: stop after N refreshes (default: until Ctrl-C).")
    Long count;

    @Option(names = "--recordings", paramLabel = "DIR", description = "List the recordings ./bus record wrote in DIR"
        + " instead of the topics: topic, entries, first and last time, publish or receive times, size of the files.")
    Path recordings;

    @Override
    public Integer call() throws InterruptedException {
        if (recordings != null) {
            return listRecordings();
        }
        if (count != null && (count < 1 || !watch)) {
            throw new ParameterException(spec.commandLine(), count < 1 ? "--count must be 1 or more"
                : "--count counts the refreshes of --watch; give --watch too");
        }
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            throw new ParameterException(spec.commandLine(), "--interval must be at least " + MIN_INTERVAL.toMillis()
                + " ms");
        }
        BusDirectory directory = new BusDirectory(bus.context().directory()).checkExists();
        PrintWriter out = spec.commandLine().getOut();
        if (!watch) {
            Reading reading = read(directory, null);
            if (json) {
                printJson(out, directory.path(), reading, null);
            } else {
                printText(out, directory.path(), reading);
            }
            out.flush();
            return 0;
        }
        return watch(directory, out);
    }

    private int listRecordings() {
        if (watch || json) {
            throw new ParameterException(spec.commandLine(), "--recordings lists recordings once, as text: leave out"
                + (watch ? " --watch" : " --json"));
        }
        if (!Files.isDirectory(recordings)) {
            throw new RecordingException(recordings + " is not a directory: give the DIR that bus record --to wrote");
        }
        CodecFlags.requireChronicleQueue("bus stat --recordings");
        PrintWriter out = spec.commandLine().getOut();
        out.println("recordings in " + recordings + ":");
        RecordingTable.print(out, recordings);
        out.flush();
        return 0;
    }

    /** Refreshes until --count, Ctrl-C or a closed standard output. */
    private int watch(BusDirectory directory, PrintWriter out) throws InterruptedException {
        boolean terminal = System.console() != null && System.console().isTerminal()
            && out instanceof BusCommand.StandardOutput;
        Map<String, TopicRates> meters = new HashMap<>();
        CountDownLatch stop = new CountDownLatch(1);
        try (Interruption interruption = new Interruption(stop::countDown, true)) {
            for (long refresh = 1; !interruption.requested(); refresh++) {
                Reading reading = read(directory, meters);
                Instant now = Instant.now();
                if (json) {
                    printJson(out, directory.path(), reading, now);
                } else {
                    StringWriter block = new StringWriter();
                    PrintWriter text = new PrintWriter(block);
                    text.printf("%s  bus %s  every %s%s%n", TIME.format(now), directory.path(), text(interval),
                        terminal ? "  (Ctrl-C quits)" : "");
                    printWatchText(text, reading);
                    text.flush();
                    out.print(terminal ? CLEAR_SCREEN + block : block + System.lineSeparator());
                }
                out.flush();
                if (out.checkError() || (count != null && refresh >= count)) {
                    break;
                }
                if (stop.await(interval.toNanos(), TimeUnit.NANOSECONDS)) {
                    break;
                }
            }
        }
        return 0;
    }

    /** Every topic's snapshot; with meters, each topic's rates since the last reading too. */
    private static Reading read(BusDirectory directory, Map<String, TopicRates> meters) {
        List<TopicSnapshot> snapshots = new ArrayList<>();
        List<String[]> failures = new ArrayList<>();
        Map<String, TopicRates.Rates> rates = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Path file : directory.topicFiles()) {
            try (TopicFile topic = BusDirectory.open(file)) {
                if (topic != null) {
                    TopicSnapshot snapshot = TopicSnapshot.of(topic);
                    snapshots.add(snapshot);
                    if (meters != null) {
                        seen.add(snapshot.name());
                        TopicRates meter = meters.get(snapshot.name());
                        if (meter == null || !meter.sameTopic(snapshot.createdMillis())) {
                            meter = new TopicRates(snapshot.createdMillis());
                            meters.put(snapshot.name(), meter);
                        }
                        TopicRates.Rates topicRates = meter.update(topic.ring(), snapshot.tail(), System.nanoTime());
                        if (topicRates != null) {
                            rates.put(snapshot.name(), topicRates);
                        }
                    }
                }
            } catch (RingBusException | IllegalArgumentException e) {
                failures.add(new String[] {BusDirectory.topicName(file), e.getMessage()});
            }
        }
        if (meters != null) {
            meters.keySet().retainAll(seen);
        }
        return new Reading(snapshots, failures, rates, GatewayStatus.readAll(directory.path()));
    }

    /** One reading of the bus directory. */
    private record Reading(List<TopicSnapshot> snapshots, List<String[]> failures,
        Map<String, TopicRates.Rates> rates, List<GatewayStatus.Snapshot> gateways) {
    }

    /**
     * Each gateway of the bus (from its status file, written every second) and its routes: direction, topic,
     * channel and stream, whether the other side is connected, bytes/s, messages, ringbus losses, and the
     * media driver's NAKs and retransmissions (or gap fills, on an importer).
     */
    private static void printGateways(PrintWriter out, List<GatewayStatus.Snapshot> gateways) {
        for (GatewayStatus.Snapshot gateway : gateways) {
            boolean alive = gateway.alive();
            long age = Math.max(0, System.currentTimeMillis() - gateway.updatedMillis());
            out.printf("%ngateway %s  pid %d  %s  updated %.1f s ago  driver %s%n", gateway.name(), gateway.pid(),
                alive ? "alive" : "dead (its last status; ./bus gateway --name " + gateway.name() + " replaces it)",
                age / 1e3, gateway.driver());
            out.printf("    %-6s %-16s %-44s %-8s %-28s %11s %10s %-14s %6s %s%n", "ROUTE", "TOPIC", "CHANNEL",
                "STREAM", "REMOTE", "BYTES/S", "MESSAGES", "LOSSES(BYTES)", "NAKS", "RETRANSMITS/GAP FILLS");
            for (GatewayStatus.RouteStatus route : gateway.routes()) {
                String remote = !alive ? "-" : route.connected() ? "connected" + (route.remote().equals("-") ? ""
                    : " " + route.remote()) : "not connected";
                boolean export = route.direction().equals("export");
                out.printf("    %-6s %-16s %-44s %-8d %-28s %11s %10d %-14s %6d %s%n", route.direction(),
                    route.topic(), route.channel(), route.streamId(), remote, byteRate(route.bytesPerSecond()),
                    route.messages(), route.losses() + "(" + route.lostBytes() + ")", route.naks(),
                    export ? route.retransmits() + " retransmits" : route.gapFills() + " gap fills");
            }
        }
    }

    private static void jsonGateways(Json json, List<GatewayStatus.Snapshot> gateways) {
        json.field("gateways").open('[');
        for (GatewayStatus.Snapshot gateway : gateways) {
            json.open('{').field("name").string(gateway.name()).field("pid").number(gateway.pid())
                .field("alive").bool(gateway.alive()).field("updatedMillis").number(gateway.updatedMillis())
                .field("driver").string(gateway.driver()).field("routes").open('[');
            for (GatewayStatus.RouteStatus route : gateway.routes()) {
                json.open('{').field("direction").string(route.direction()).field("topic").string(route.topic())
                    .field("channel").string(route.channel()).field("stream").number(route.streamId())
                    .field("connected").bool(route.connected()).field("remote").string(route.remote())
                    .field("bytesPerSecond").decimal(route.bytesPerSecond(), 1)
                    .field("messages").number(route.messages()).field("bytes").number(route.bytes())
                    .field("losses").number(route.losses()).field("lostBytes").number(route.lostBytes())
                    .field("repeats").number(route.repeats()).field("naks").number(route.naks())
                    .field("retransmits").number(route.retransmits()).field("gapFills").number(route.gapFills())
                    .close('}');
            }
            json.close(']').close('}');
        }
        json.close(']');
    }

    /** The compact, top-like view of one refresh. */
    private static void printWatchText(PrintWriter out, Reading reading) {
        if (reading.snapshots().isEmpty() && reading.failures().isEmpty()) {
            out.println("no topics");
        }
        if (!reading.snapshots().isEmpty()) {
            out.printf("%-24s %-7s %-7s %-16s %10s %12s%n", "TOPIC", "PUBS", "SUBS", "TAIL", "MSG/S", "BYTES/S");
        }
        for (TopicSnapshot topic : reading.snapshots()) {
            long livePublishers = topic.publishers().stream().filter(TopicSnapshot.PublisherSlot::alive).count();
            long liveSubscribers = topic.subscribers().stream().filter(TopicSnapshot.SubscriberSlot::alive).count();
            TopicRates.Rates rates = reading.rates().get(topic.name());
            out.printf("%-24s %-7s %-7s %-16d %10s %12s%n", topic.name(),
                livePublishers + "/" + topic.publishers().size(), liveSubscribers + "/" + topic.subscribers().size(),
                topic.tail(), rates == null ? "-" : messageRate(rates), rates == null ? "-"
                    : byteRate(rates.bytesPerSecond()));
            for (TopicSnapshot.PublisherSlot publisher : topic.publishers()) {
                out.printf("    pub %-3d pid %-8d %s%n", publisher.slot(), publisher.pid(),
                    state(publisher.alive(), false, publisher.pid()));
            }
            for (TopicSnapshot.SubscriberSlot subscriber : topic.subscribers()) {
                out.printf("    sub %-3d pid %-8d %-8s lag %-12d %s%s%s%n", subscriber.slot(), subscriber.pid(),
                    state(subscriber), subscriber.lag(),
                    subscriber.durable() ? "durable " + subscriber.durableName() : "",
                    subscriber.parked() ? (subscriber.durable() ? ", " : "") + "parked" : "",
                    subscriber.evictable() ? (subscriber.durable() || subscriber.parked() ? ", " : "") + "evictable"
                        : "");
            }
        }
        for (String[] failure : reading.failures()) {
            out.printf("%-24s unreadable: %s%n", failure[0], failure[1]);
        }
        printGateways(out, reading.gateways());
    }

    private static String messageRate(TopicRates.Rates rates) {
        if (rates.messagesPerSecond() < 0) {
            return "?";
        }
        return (rates.estimated() ? "~" : "") + count(rates.messagesPerSecond());
    }

    /** 1234567 as "1.2M", 950 as "950". */
    static String count(double value) {
        if (value < 1000) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (value < 1_000_000) {
            return String.format(Locale.ROOT, "%.1fk", value / 1e3);
        }
        if (value < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1fM", value / 1e6);
        }
        return String.format(Locale.ROOT, "%.1fG", value / 1e9);
    }

    /** Bytes per second in B/s, KiB/s, MiB/s or GiB/s. */
    static String byteRate(double value) {
        String[] units = {"B/s", "KiB/s", "MiB/s", "GiB/s"};
        int unit = 0;
        while (unit < units.length - 1 && value >= 1024) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    }

    /** live, stopped (SIGSTOP), dead or evicted. */
    static String state(TopicSnapshot.SubscriberSlot subscriber) {
        return state(subscriber.alive(), subscriber.evicted(), subscriber.pid());
    }

    private static String state(boolean alive, boolean evicted, int pid) {
        if (evicted) {
            return "evicted";
        }
        if (!alive) {
            return "dead";
        }
        return stopped(pid) ? "stopped" : "live";
    }

    /** Whether the process is stopped (state T or t in /proc/PID/stat): alive, but not running. */
    static boolean stopped(int pid) {
        if (pid <= 0) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            int end = stat.lastIndexOf(')');
            if (end < 0 || end + 2 >= stat.length()) {
                return false;
            }
            char state = stat.charAt(end + 2);
            return state == 'T' || state == 't';
        } catch (IOException | RuntimeException e) {
            return false; // gone, or another pid namespace: not known to be stopped
        }
    }

    private static String text(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** 1s, 500ms, 2.5s, 1m or a plain number of seconds. */
    static final class IntervalConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String text = value.strip().toLowerCase(Locale.ROOT);
            double factor = 1000;
            if (text.endsWith("ms")) {
                factor = 1;
                text = text.substring(0, text.length() - 2);
            } else if (text.endsWith("s")) {
                text = text.substring(0, text.length() - 1);
            } else if (text.endsWith("m")) {
                factor = 60_000;
                text = text.substring(0, text.length() - 1);
            }
            try {
                double millis = Double.parseDouble(text) * factor;
                if (!(millis > 0) || millis > Long.MAX_VALUE / 2.0) {
                    throw new CommandLine.TypeConversionException("'" + value + "' is not a positive time");
                }
                return Duration.ofMillis(Math.round(millis));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a time such as 1s, 500ms, 1m");
            }
        }
    }

    private static void printText(PrintWriter out, Path directory, Reading reading) {
        List<TopicSnapshot> snapshots = reading.snapshots();
        List<String[]> failures = reading.failures();
        int count = snapshots.size() + failures.size();
        out.printf("bus %s: %s%n", directory, count == 0 ? "no topics" : count + (count == 1 ? " topic" : " topics"));
        for (TopicSnapshot topic : snapshots) {
            var ring = topic.shape().ring();
            out.printf("%ntopic %s  capacity %s  max message %s  producer %s  wakeup %s  timestamps %s  tail %d%n",
                topic.name(), Sizes.bytes(ring.capacity()), Sizes.bytes(topic.shape().maxMessageLength()),
                ring.producerMode(), topic.shape().wakeup() ? "on" : "off", topic.shape().timestamps() ? "on" : "off",
                topic.tail());
            out.printf("  created %s by pid %d%n", TIME.format(Instant.ofEpochMilli(topic.createdMillis())),
                topic.creatorPid());
            out.printf("  publishers: %d of %d slots taken%n", topic.publishers().size(),
                topic.shape().maxPublishers());
            if (!topic.publishers().isEmpty()) {
                out.printf("    %-5s %-8s %s%n", "SLOT", "PID", "STATUS");
                for (TopicSnapshot.PublisherSlot publisher : topic.publishers()) {
                    out.printf("    %-5d %-8d %s%n", publisher.slot(), publisher.pid(), status(publisher.alive()));
                }
            }
            out.printf("  subscribers: %d of %d slots taken%n", topic.subscribers().size(), ring.maxCursors());
            if (!topic.subscribers().isEmpty()) {
                out.printf("    %-5s %-8s %-6s %-16s %-14s %-12s %-6s %s%n",
                    "SLOT", "PID", "STATUS", "DURABLE", "POSITION", "LAG", "PARKED", "EVICTED");
                for (TopicSnapshot.SubscriberSlot subscriber : topic.subscribers()) {
                    out.printf("    %-5d %-8d %-6s %-16s %-14d %-12d %-6s %s%n", subscriber.slot(), subscriber.pid(),
                        status(subscriber.alive()), subscriber.durable() ? subscriber.durableName() : "-",
                        subscriber.position(), subscriber.lag(), subscriber.parked() ? "yes" : "no",
                        subscriber.evicted() ? "yes" : subscriber.joining() ? "no (joining)" : "no");
                }
            }
        }
        for (String[] failure : failures) {
            out.printf("%ntopic %s  unreadable: %s%n", failure[0], failure[1]);
        }
        printGateways(out, reading.gateways());
        List<String> mqBridges = MqAcceptor.liveBridges();
        if (!mqBridges.isEmpty()) {
            // Queues are the kernel's, per user and system-wide: their limits decide how many clients fit.
            out.printf("%nmessage queue bridges of this user: %s%n  kernel limits: %s%n", String.join(", ", mqBridges),
                MessageQueues.limits().describe());
        }
    }

    private static String status(boolean alive) {
        return alive ? "alive" : "dead";
    }

    /** One JSON object on one line; with a time (--watch), the time and every topic's rates too. */
    private static void printJson(PrintWriter out, Path directory, Reading reading, Instant time) {
        Json json = new Json();
        json.open('{');
        if (time != null) {
            json.field("time").string(time.toString()).field("millis").number(time.toEpochMilli());
        }
        json.field("directory").string(directory.toString()).field("topics").open('[');
        for (TopicSnapshot topic : reading.snapshots()) {
            var ring = topic.shape().ring();
            json.open('{')
                .field("name").string(topic.name())
                .field("capacity").number(ring.capacity())
                .field("maxMessageLength").number(topic.shape().maxMessageLength())
                .field("producerMode").string(ring.producerMode().name())
                .field("wakeup").bool(topic.shape().wakeup())
                .field("timestamps").bool(topic.shape().timestamps())
                .field("tail").number(topic.tail())
                .field("creatorPid").number(topic.creatorPid())
                .field("createdMillis").number(topic.createdMillis())
                .field("publisherSlots").number(topic.shape().maxPublishers())
                .field("subscriberSlots").number(ring.maxCursors());
            if (time != null) {
                TopicRates.Rates rates = reading.rates().get(topic.name());
                json.field("messagesPerSecond").decimal(rates == null || rates.messagesPerSecond() < 0 ? Double.NaN
                        : rates.messagesPerSecond(), 1)
                    .field("bytesPerSecond").decimal(rates == null ? Double.NaN : rates.bytesPerSecond(), 1)
                    .field("messagesEstimated").bool(rates != null && rates.estimated());
            }
            json.field("publishers").open('[');
            for (TopicSnapshot.PublisherSlot publisher : topic.publishers()) {
                json.open('{').field("slot").number(publisher.slot()).field("pid").number(publisher.pid())
                    .field("alive").bool(publisher.alive())
                    .field("state").string(state(publisher.alive(), false, publisher.pid())).close('}');
            }
            json.close(']').field("subscribers").open('[');
            for (TopicSnapshot.SubscriberSlot subscriber : topic.subscribers()) {
                json.open('{').field("slot").number(subscriber.slot()).field("pid").number(subscriber.pid())
                    .field("alive").bool(subscriber.alive())
                    .field("durableName").string(subscriber.durableName())
                    .field("position").number(subscriber.position())
                    .field("lag").number(subscriber.lag())
                    .field("parked").bool(subscriber.parked())
                    .field("evicted").bool(subscriber.evicted())
                    .field("evictable").bool(subscriber.evictable())
                    .field("joining").bool(subscriber.joining())
                    .field("state").string(state(subscriber))
                    .close('}');
            }
            json.close(']').close('}');
        }
        json.close(']').field("unreadable").open('[');
        for (String[] failure : reading.failures()) {
            json.open('{').field("name").string(failure[0]).field("error").string(failure[1]).close('}');
        }
        json.close(']');
        jsonGateways(json, reading.gateways());
        json.close('}');
        out.println(json);
    }
}
