package io.ringbus.examples.cli;

import io.ringbus.core.RingBusException;
import io.ringbus.core.topic.TopicFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bus stat}: every topic of a bus directory with its shape, tail, publishers and subscribers
 * (alive or dead, position, lag, parked, evicted), read without joining anything.
 */
@Command(name = "stat",
    mixinStandardHelpOptions = true,
    description = {"Shows every topic of the bus: capacity, producer mode, tail position, each publisher (slot, pid,"
            + " alive or dead) and each subscriber (slot, pid, alive or dead, durable name, position, lag = tail -"
            + " position, parked, evicted). Joins nothing and changes nothing.",
        "A process is alive while it holds its slot's lock; the kernel drops the lock when it dies."},
    footer = {"", "Examples:",
        "  ./bus stat",
        "  ./bus stat --dir /tmp/mybus --json | jq '.topics[].subscribers'"})
public final class StatCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
        .withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Mixin
    BusOptions bus;

    @Option(names = "--json", description = "One JSON document instead of text.")
    boolean json;

    @Override
    public Integer call() {
        BusDirectory directory = new BusDirectory(bus.context().directory()).checkExists();
        List<TopicSnapshot> snapshots = new ArrayList<>();
        List<String[]> failures = new ArrayList<>();
        for (Path file : directory.topicFiles()) {
            try (TopicFile topic = BusDirectory.open(file)) {
                if (topic != null) {
                    snapshots.add(TopicSnapshot.of(topic));
                }
            } catch (RingBusException | IllegalArgumentException e) {
                failures.add(new String[] {BusDirectory.topicName(file), e.getMessage()});
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            printJson(out, directory.path(), snapshots, failures);
        } else {
            printText(out, directory.path(), snapshots, failures);
        }
        out.flush();
        return 0;
    }

    private static void printText(PrintWriter out, Path directory, List<TopicSnapshot> snapshots,
        List<String[]> failures) {
        int count = snapshots.size() + failures.size();
        out.printf("bus %s: %s%n", directory, count == 0 ? "no topics" : count + (count == 1 ? " topic" : " topics"));
        for (TopicSnapshot topic : snapshots) {
            var ring = topic.shape().ring();
            out.printf("%ntopic %s  capacity %s  max message %s  producer %s  wakeup %s  tail %d%n", topic.name(),
                bytes(ring.capacity()), bytes(ring.maxMessageLength()), ring.producerMode(),
                topic.shape().wakeup() ? "on" : "off", topic.tail());
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
    }

    private static String status(boolean alive) {
        return alive ? "alive" : "dead";
    }

    /** 1048576 as "1 MiB", 1000 as "1000 B". */
    public static String bytes(long value) {
        String[] units = {"B", "KiB", "MiB", "GiB"};
        int unit = 0;
        while (unit < units.length - 1 && value >= 1024 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return value + " " + units[unit];
    }

    private static void printJson(PrintWriter out, Path directory, List<TopicSnapshot> snapshots,
        List<String[]> failures) {
        Json json = new Json();
        json.open('{').field("directory").string(directory.toString()).field("topics").open('[');
        for (TopicSnapshot topic : snapshots) {
            var ring = topic.shape().ring();
            json.open('{')
                .field("name").string(topic.name())
                .field("capacity").number(ring.capacity())
                .field("maxMessageLength").number(ring.maxMessageLength())
                .field("producerMode").string(ring.producerMode().name())
                .field("wakeup").bool(topic.shape().wakeup())
                .field("tail").number(topic.tail())
                .field("creatorPid").number(topic.creatorPid())
                .field("createdMillis").number(topic.createdMillis())
                .field("publisherSlots").number(topic.shape().maxPublishers())
                .field("subscriberSlots").number(ring.maxCursors())
                .field("publishers").open('[');
            for (TopicSnapshot.PublisherSlot publisher : topic.publishers()) {
                json.open('{').field("slot").number(publisher.slot()).field("pid").number(publisher.pid())
                    .field("alive").bool(publisher.alive()).close('}');
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
                    .close('}');
            }
            json.close(']').close('}');
        }
        json.close(']').field("unreadable").open('[');
        for (String[] failure : failures) {
            json.open('{').field("name").string(failure[0]).field("error").string(failure[1]).close('}');
        }
        json.close(']').close('}');
        out.println(json);
    }

    /** A minimal JSON writer: objects, arrays, strings, numbers, booleans, null. */
    private static final class Json {
        private final StringBuilder text = new StringBuilder();
        private boolean needComma;

        Json open(char bracket) {
            comma();
            text.append(bracket);
            needComma = false;
            return this;
        }

        Json close(char bracket) {
            text.append(bracket);
            needComma = true;
            return this;
        }

        Json field(String name) {
            comma();
            quote(name);
            text.append(':');
            needComma = false;
            return this;
        }

        Json string(String value) {
            comma();
            if (value == null) {
                text.append("null");
            } else {
                quote(value);
            }
            needComma = true;
            return this;
        }

        Json number(long value) {
            comma();
            text.append(value);
            needComma = true;
            return this;
        }

        Json bool(boolean value) {
            comma();
            text.append(value);
            needComma = true;
            return this;
        }

        private void comma() {
            if (needComma) {
                text.append(',');
                needComma = false;
            }
        }

        private void quote(String value) {
            text.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '"' -> text.append("\\\"");
                    case '\\' -> text.append("\\\\");
                    case '\n' -> text.append("\\n");
                    case '\r' -> text.append("\\r");
                    case '\t' -> text.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            text.append(String.format("\\u%04x", (int) c));
                        } else {
                            text.append(c);
                        }
                    }
                }
            }
            text.append('"');
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
