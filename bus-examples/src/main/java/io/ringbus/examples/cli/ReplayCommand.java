package io.ringbus.examples.cli;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.record.Entry;
import io.ringbus.transport.record.Recording;
import io.ringbus.transport.record.RecordingException;
import io.ringbus.transport.record.RecordingSummary;
import io.ringbus.transport.record.Replayer;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.examples.support.SizeConverter;
import io.ringbus.examples.support.TopicArguments;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bus replay DIR --topic T}: publishes a recording made by {@code bus record} into a topic, or prints it;
 * without {@code --topic}, lists the recordings in DIR.
 */
@Command(name = "replay",
    mixinStandardHelpOptions = true,
    description = {"Publishes the recording of topic T in DIR (made by ./bus record) into a topic of the bus: T"
            + " itself, or --into another (created if missing). As fast as the ring takes it (--speed max, the"
            + " default: it waits for subscribers, nothing is dropped) or at the recorded pace (--speed 1x, 2x,"
            + " 0.5x...: by publish time where the topic had timestamps, otherwise by receive time). Gap entries"
            + " (what an evictable recorder missed) are skipped and counted.",
        "With --print it publishes nothing and prints each entry instead, like tail: #INDEX @RING_POSITION"
            + " TIME published|received (LENGTH B) and the payload as escaped text (or --hex, a dump like xxd).",
        "--from and --to take an entry's #INDEX (as --print shows it) or a time (2026-12-06T18:00:00Z, or"
            + " local 2026-12-06T18:00:00); both ends are included.",
        "Without --topic: lists the recordings in DIR (topic, entries, first and last time, publish or receive"
            + " times, and the size of its files, which Chronicle creates sparse: what they take on disk grows as"
            + " they fill). ./bus stat --recordings DIR shows the same."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":the range was replayed, printed or listed",
        "1:a failure the one-line message explains (no such recording or index, a message longer than the target"
            + " topic takes, ...)",
        ExitCodes.USAGE,
        ExitCodes.SIGNALS},
    footer = {"", "Examples:",
        "  ./bus replay /data/rec                                  # which recordings are there",
        "  ./bus replay /data/rec --topic quotes --print | less    # what was recorded",
        "  ./bus replay /data/rec --topic quotes --into quotes-test --speed 1x",
        "  ./bus replay /data/rec --topic quotes --from 2026-12-06T09:00:00 --to 2026-12-06T09:05:00 --print --hex"})
public final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    BusOptions bus;

    @Parameters(index = "0", paramLabel = "DIR", description = "The directory given to bus record --to.")
    Path directory;

    @Option(names = "--topic", paramLabel = "T", converter = TopicArguments.Name.class,
        description = "The recorded topic to replay (without it: list the recordings).")
    String topic;

    @Option(names = "--into", paramLabel = "TOPIC", converter = TopicArguments.Name.class,
        description = "Publish into this topic instead of T.")
    String into;

    @Option(names = "--from", paramLabel = "INDEX|TIME",
        description = "First entry: an #INDEX or a time (publish or receive, as recorded).")
    String from;

    @Option(names = "--to", paramLabel = "INDEX|TIME",
        description = "Last entry: an #INDEX or a time (publish or receive, as recorded).")
    String until;

    @Option(names = "--speed", paramLabel = "max|Nx", defaultValue = "max",
        description = "max (default): as fast as the ring takes it; Nx: N times the recorded pace (1x, 2x, 0.5x).")
    String speed;

    @Option(names = "--print", description = "Print the entries instead of publishing them.")
    boolean print;

    @Option(names = "--hex", description = "With --print: a hex dump of each payload instead of escaped text.")
    boolean hex;

    @Option(names = "--capacity", paramLabel = "BYTES", converter = SizeConverter.class,
        description = "Ring capacity if this creates the target topic (65536, 64k, 1m; default 1m).")
    Integer capacity;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.isDirectory(directory)) {
            throw new RecordingException(directory + " is not a directory: give the DIR that bus record --to wrote");
        }
        if (topic == null) {
            RecordingTable.print(out, directory);
            return 0;
        }
        double factor = factor();
        if (hex && !print) {
            throw new ParameterException(spec.commandLine(), "--hex goes with --print");
        }
        TopicConfig topicConfig = TopicArguments.config(spec, capacity, null);
        try (Recording recording = Recording.openForRead(directory, topic);
             Replayer replayer = new Replayer(recording)) {
            bound(replayer, from, true);
            bound(replayer, until, false);
            if (print) {
                print(replayer, out);
            } else {
                publish(replayer, topicConfig, factor, out);
            }
        }
        return 0;
    }

    private void print(Replayer replayer, PrintWriter out) {
        for (Entry entry = replayer.next(); entry != null; entry = replayer.next()) {
            String head = "#" + entry.index() + " ";
            if (!entry.isMessage()) {
                out.println(head + "-- gap at " + time(entry.epochNanos()) + ": the recorder was evicted and"
                    + " missed " + entry.missedBytes() + " ring bytes, from @" + entry.position() + " to @"
                    + entry.gapTo());
            } else if (hex) {
                out.print(head + time(entry.epochNanos()) + which(entry) + " "
                    + TailCommand.hexDump(entry.position(), entry.payload(), entry.length()));
            } else {
                out.println(head + "@" + entry.position() + " " + time(entry.epochNanos()) + which(entry) + " ("
                    + entry.length() + " B) " + TailCommand.escape(entry.payload(), entry.length()));
            }
            if (out.checkError()) {
                return; // nobody reads any more (| head)
            }
        }
        out.flush();
    }

    private void publish(Replayer replayer, TopicConfig topicConfig, double factor, PrintWriter out) {
        String target = into != null ? into : topic;
        IdleStrategy idle = new BackoffIdleStrategy();
        long published = 0;
        long gaps = 0;
        long started = System.nanoTime();
        long firstReceived = 0;
        try (Bus opened = Bus.open(bus.context());
             Publisher publisher = opened.newPublisher(target, topicConfig);
             Interruption interruption = new Interruption(() -> { }, true)) {
            for (Entry entry = replayer.next(); entry != null && !interruption.requested(); entry = replayer.next()) {
                if (!entry.isMessage()) {
                    gaps++;
                    continue;
                }
                if (entry.length() > publisher.maxMessageLength()) {
                    throw new RecordingException("entry #" + entry.index() + " is " + entry.length() + " bytes, more"
                        + " than topic '" + target + "' takes (" + publisher.maxMessageLength() + "): replay --into a"
                        + " new topic with a larger --capacity (its longest message is capacity/8)");
                }
                if (factor > 0) {
                    if (published == 0) {
                        firstReceived = entry.epochNanos();
                    }
                    pace(started + (long) ((entry.epochNanos() - firstReceived) / factor));
                }
                long result;
                while ((result = publisher.offer(entry.payload(), 0, entry.length())) < 0) {
                    if (result == Result.CLOSED || result == Result.MAX_POSITION_EXCEEDED) {
                        throw new RecordingException("cannot publish into '" + target + "': "
                            + Result.describe(result));
                    }
                    idle.idle(); // BACK_PRESSURED: a subscriber is a ring behind; it is waited for, not dropped
                }
                idle.reset();
                published++;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        out.println(String.format(Locale.ROOT, "replayed %d messages of '%s' into '%s' in %.3f s%s", published, topic,
            target, seconds, gaps > 0 ? " (" + gaps + " gap entries skipped: the recording misses messages there)"
                : ""));
    }

    private static void pace(long deadline) {
        long wait;
        while ((wait = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    private double factor() {
        String value = speed.strip().toLowerCase(Locale.ROOT);
        if (value.equals("max")) {
            return 0;
        }
        try {
            double factor = Double.parseDouble(value.endsWith("x") ? value.substring(0, value.length() - 1) : value);
            if (factor > 0 && Double.isFinite(factor)) {
                return factor;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ParameterException(spec.commandLine(), "--speed must be max or a positive factor such as 1x,"
            + " 2x, 0.5x; not '" + speed + "'");
    }

    private void bound(Replayer replayer, String value, boolean start) {
        if (value == null) {
            return;
        }
        String option = start ? "--from" : "--to";
        String text = value.strip();
        if (text.matches("#?\\d+")) {
            long index = Long.parseLong(text.replace("#", ""));
            if (start) {
                replayer.fromIndex(index);
            } else {
                replayer.toIndex(index);
            }
            return;
        }
        long nanos = epochNanos(option, text);
        if (start) {
            replayer.fromTime(nanos);
        } else {
            replayer.toTime(nanos);
        }
    }

    private long epochNanos(String option, String text) {
        Instant instant;
        try {
            instant = Instant.parse(text);
        } catch (DateTimeParseException notAnInstant) {
            try {
                instant = LocalDateTime.parse(text).atZone(ZoneId.systemDefault()).toInstant();
            } catch (DateTimeParseException e) {
                throw new ParameterException(spec.commandLine(), option + " must be an #INDEX or a time such as"
                    + " 2026-12-06T18:00:00Z or 2026-12-06T18:00:00 (local), not '" + text + "'");
            }
        }
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    private static String time(long epochNanos) {
        return RecordingSummary.time(epochNanos);
    }

    private static String which(Entry entry) {
        return entry.isPublishTime() ? " published" : " received";
    }
}
