package io.ringbus.examples.cli;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.SlowConsumerPolicy;
import io.ringbus.core.StartPosition;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.topic.TopicFile;
import io.ringbus.transport.record.Recording;
import io.ringbus.transport.record.RecordingException;
import io.ringbus.transport.record.TopicRecorder;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.examples.support.SizeConverter;
import io.ringbus.examples.support.TopicArguments;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bus record TOPIC... --to DIR}: records topics into Chronicle Queues, one {@link TopicRecorder} (a durable
 * subscriber with explicit commits) on a thread of its own per topic. See {@code bus-examples/RECORDING.md}.
 */
@Command(name = "record",
    mixinStandardHelpOptions = true,
    description = {"Records every message of each TOPIC into a Chronicle Queue in DIR/TOPIC (rolled daily, or as"
            + " --roll says): its payload, type, ring position and its publish time when the topic has"
            + " timestamps (./bus pub --timestamps), otherwise the time the recorder received it (and it says so)."
            + " Runs until Ctrl-C / SIGTERM (or --count messages per topic).",
        "Durable: it subscribes as --name (default: recorder) and moves its position only after the messages are in"
            + " the queue. Killed at any moment, kill -9 too, and started again, the recording has no gap and no"
            + " duplicate: the new recorder skips what the queue already holds. While it is down, publishers wait"
            + " for it (a tethered subscriber) once they are a ring ahead; with --evictable they go on, and the"
            + " recording gets a gap entry saying how many bytes were missed.",
        "Every TOPIC must exist (or give --create). It stops with an error, its recording whole, when DIR's file"
            + " system has less than --min-free bytes free. Replay with ./bus replay DIR --topic TOPIC."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":--count messages recorded on every topic",
        "1:a failure the one-line message explains (a missing topic, DIR not a writable directory, a full file"
            + " system, a failed append)",
        ExitCodes.USAGE,
        ExitCodes.SIGNALS + ", after the last batch was appended and committed"},
    footer = {"", "Examples:",
        "  ./bus record quotes trades --to /data/rec        # until Ctrl-C; kill -9 and restart lose nothing",
        "  ./bus record quotes --to /data/rec --roll hourly",
        "  ./bus record quotes --to /data/rec --evictable  # never holds publishers back; gaps are recorded",
        "  ./bus record quotes --to /data/rec --create --timestamps   # a new topic whose messages carry publish times",
        "  ./bus replay /data/rec --topic quotes --print   # what was recorded"})
public final class RecordCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    BusOptions bus;

    @Parameters(index = "0..*", arity = "1..*", paramLabel = "TOPIC", converter = TopicArguments.Name.class,
        description = "Topics to record.")
    List<String> topics;

    @Option(names = "--to", paramLabel = "DIR", required = true,
        description = "Where the recordings go (created if missing): one Chronicle Queue per topic in DIR/TOPIC.")
    Path to;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "recorder",
        description = "Durable subscriber name, the same on every topic (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--from", paramLabel = "latest|earliest", defaultValue = "latest",
        description = "Where a first recording starts: with the next message (latest, the default) or the oldest"
            + " still in the ring (earliest). A recorder that ran before resumes where it stopped instead.")
    String from;

    @Option(names = "--roll", paramLabel = "CYCLE", defaultValue = "daily",
        description = "How often the queue starts a new file: five-minutely, ten-minutely, half-hourly, hourly,"
            + " two-hourly, six-hourly, daily (default), weekly. A recording keeps the cycle it was created with.")
    String roll;

    @Option(names = "--evictable", description = "Never hold publishers back: when the recorder falls a whole ring"
        + " behind for --evict-after, it is evicted, records a gap entry and goes on.")
    boolean evictable;

    @Option(names = "--evict-after", paramLabel = "MILLIS", defaultValue = "5000",
        description = "With --evictable: how long it may hold publishers back (default: ${DEFAULT-VALUE} ms).")
    long evictAfterMillis;

    @Option(names = "--min-free", paramLabel = "BYTES", converter = SizeConverter.class, defaultValue = "64m",
        description = "Stop (exit 1, the recording whole) when DIR's file system has less free (default: 64m).")
    int minFree;

    @Option(names = "--count", paramLabel = "N", description = "Exit after N messages recorded on each topic.")
    Long count;

    @Option(names = "--create", description = "Create a missing TOPIC (with the default shape) instead of failing.")
    boolean create;

    @Option(names = "--timestamps", description = "Every TOPIC must have publish times (./bus pub --timestamps);"
        + " with --create, a missing one is created with them.")
    boolean timestamps;

    @Override
    public Integer call() throws InterruptedException {
        validate();
        BusContext context = bus.context();
        for (String topic : topics) {
            if (!create && !Files.exists(TopicFile.pathOf(context.directory(), topic))) {
                throw new RecordingException("topic '" + topic + "' does not exist in " + context.directory()
                    + ": start its publisher first (or give --create, or --dir/--bus for another bus)");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        List<Recording> recordings = new ArrayList<>();
        try (Bus opened = Bus.open(context)) {
            for (String topic : topics) {
                recordings.add(Recording.openForAppend(to, topic, roll));
            }
            return record(opened, recordings, out);
        } finally {
            recordings.forEach(Recording::close);
        }
    }

    private int record(Bus opened, List<Recording> recordings, PrintWriter out) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        List<TopicRecorder> recorders = new ArrayList<>();
        try (Interruption interruption = new Interruption(() -> { }, true)) {
            for (Recording recording : recordings) {
                TopicRecorder recorder = new TopicRecorder(recording, minFree, count == null ? Long.MAX_VALUE : count);
                recorders.add(recorder);
                Thread thread = Thread.ofPlatform().name("bus-record-" + recording.topic()).start(() -> {
                    try {
                        recorder.run(listener -> {
                            TopicConfig required = timestamps ? new TopicConfig().timestamps(true) : new TopicConfig();
                            var subscriber = opened.newSubscriber(recording.topic(), required,
                                TopicRecorder.durable(subscriberConfig(), name, listener));
                            out.println("recording '" + recording.topic() + "' into " + recording.directory()
                                + (recorder.lastCovered() < 0 ? "" : ", after ring position "
                                + recorder.lastCovered())
                                + (opened.timestamps(recording.topic()) ? ", with publish times"
                                    : ", with receive times (the topic has no publish times: create it with"
                                    + " timestamps, ./bus pub --timestamps, to record them)"));
                            return subscriber;
                        }, () -> interruption.requested() || failure.get() != null);
                    } catch (RuntimeException | InternalError e) {
                        failure.compareAndSet(null, e);
                    }
                });
                threads.add(thread);
            }
            for (Thread thread : threads) {
                thread.join();
            }
        } finally {
            for (TopicRecorder recorder : recorders) {
                recorder.close();
            }
        }
        for (int i = 0; i < recorders.size(); i++) {
            TopicRecorder recorder = recorders.get(i);
            out.println("recorded " + recorder.recorded() + " messages of '" + recordings.get(i).topic() + "'"
                + (recorder.withPublishTimes() > 0 ? " (" + recorder.withPublishTimes() + " with publish times)" : "")
                + (recorder.skipped() > 0 ? " (" + recorder.skipped() + " delivered again and skipped)" : "")
                + (recorder.gaps() > 0 ? ", " + recorder.gaps() + " gaps" : ""));
        }
        Throwable first = failure.get();
        if (first instanceof RuntimeException runtime) {
            throw runtime;
        } else if (first instanceof InternalError fault) {
            throw fault;
        }
        return 0;
    }

    private SubscriberConfig subscriberConfig() {
        SubscriberConfig config = new SubscriberConfig()
            .start(from.equals("earliest") ? StartPosition.EARLIEST : StartPosition.LATEST)
            .wakeup(WakeupMode.BLOCKING);
        if (evictable) {
            config.slowConsumerPolicy(SlowConsumerPolicy.EVICT).evictAfter(Duration.ofMillis(evictAfterMillis));
        }
        return config;
    }

    private void validate() {
        from = from.toLowerCase(Locale.ROOT);
        if (!from.equals("latest") && !from.equals("earliest")) {
            throw new ParameterException(spec.commandLine(), "--from must be latest or earliest, not '" + from + "'");
        }
        if (!Recording.ROLLS.containsKey(roll.toLowerCase(Locale.ROOT))) {
            throw new ParameterException(spec.commandLine(), "--roll must be one of "
                + Recording.ROLLS.keySet().stream().sorted().toList() + ", not '" + roll + "'");
        }
        if (count != null && count < 1) {
            throw new ParameterException(spec.commandLine(), "--count must be 1 or more, not " + count);
        }
        if (evictAfterMillis <= 0) {
            throw new ParameterException(spec.commandLine(), "--evict-after must be a positive number of ms");
        }
        if (topics.stream().distinct().count() != topics.size()) {
            throw new ParameterException(spec.commandLine(), "each TOPIC once: " + topics);
        }
        TopicArguments.checkDurableName(spec, name);
    }
}
