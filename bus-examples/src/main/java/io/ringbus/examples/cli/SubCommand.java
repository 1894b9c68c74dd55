package io.ringbus.examples.cli;

import io.ringbus.core.RingBusException;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.examples.support.SizeConverter;
import io.ringbus.examples.support.TopicArguments;
import io.ringbus.transport.BusClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bus sub TOPIC}: prints each message as one line of standard output (UTF-8), waiting for
 * messages without spinning (the subscriber parks on its futex word and publishers wake it, or waits
 * on its socket through a bridge with {@code --via}). A reader that closes standard output
 * ({@code | head -1}) ends it quietly, with status 0: at the next message, or within 0.2 s when idle.
 *
 * <p>It subscribes with explicit commits: each batch (one {@code await}, up to
 * {@link #MAX_BATCH_LINES} lines) is written whole to standard output ({@link LineOutput}), and only
 * then committed. A durable one ({@code --name}) killed at any moment thus loses nothing; its
 * successor repeats at most the last batch, when the kill fell between the write and the commit.
 */
@Command(name = "sub",
    mixinStandardHelpOptions = true,
    description = {"Prints each message of TOPIC as one line (UTF-8), as it arrives. Creates the topic if it does not"
            + " exist. Waits without spinning. Runs until --count messages were printed, or Ctrl-C / SIGTERM.",
        "While it runs, publishers wait for it when it is a whole ring behind: nothing is lost.",
        "Whole lines only: up to " + SubCommand.MAX_BATCH_LINES + " lines at a time go to standard output with"
            + " write(2) calls of at most 4096 bytes that each end at a line end (no buffer that flushes half a"
            + " line), so the reader of a pipe never sees part of a line (of up to 4096 bytes).",
        "Durable (--name NAME): the position of NAME moves only after the write of the lines it covers returned."
            + " Killed at any moment, kill -9 too, it loses nothing: the next 'sub --name NAME' starts with the"
            + " first line not yet written, or, when the kill fell between a write and that move, with the lines"
            + " of that last write again. So after a kill -9 at most " + SubCommand.MAX_BATCH_LINES + " lines"
            + " repeat: the first lines of the next run, equal to the last lines the killed one printed. Ctrl-C"
            + " and SIGTERM repeat nothing: it stops within 0.2 s, its last lines written and its position moved."
            + " The same holds through a daemon (--via): the daemon moves the position when sub says so.",
        "One case no program can avoid: Linux copies a write into a file page by page, and SIGKILL during the"
            + " copy can stop it at a 4 KiB boundary. The file then ends in part of a line (its size is a multiple"
            + " of 4096), and the next run prints that line whole: when joining the files of several runs, drop"
            + " a last line that has no newline.",
        "Without --name it is not durable: a new sub starts with the next message (or --from earliest).",
        "Through a daemon (--via) that dies (kill -9) or stops, sub stays: it says 'disconnected' on standard"
            + " error, waits for a daemon on the same address (for ever, or until --timeout), and goes on when"
            + " one is back. Without --name it misses the lines published meanwhile. With --name nothing is"
            + " lost, but the 64-line bound is for a killed sub: the lines the dead daemon had already written"
            + " into the socket are printed, yet the daemon died before it could move the position past them, so"
            + " they come again (up to what the socket holds, thousands of short lines).",
        "When the reader of its output goes away (| head -1), it exits quietly (status 0) within 0.2 s; the"
            + " lines it could not write are not counted as consumed.",
        "With --via pipe: (a child of ./bus run) its standard output carries frames, so it prints to standard"
            + " error.",
        "--framed is for programs: byte-transparent, each message as a frame (int32 length, int32 type, both"
            + " little-endian, then the payload unchanged), the stream paths' frame format. Lines replace"
            + " bytes that are not UTF-8 with U+FFFD; frames never change a byte."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {"0:--count messages printed, or standard output closed by its reader",
        "1:a failure the one-line message explains, or --timeout before --count messages",
        "2:bad usage",
        "130:Ctrl-C (143: SIGTERM), after releasing its subscriber slot"},
    footer = {"", "Examples:",
        "  ./bus sub t --count 3 --from earliest   # the 3 oldest messages the ring still keeps",
        "  ./bus sub t                             # from now on, until Ctrl-C",
        "  ./bus sub t --name audit >> audit.log   # durable; kill -9 loses no line",
        "  ./bus sub files --count 5 | wc -l &     # joins first, then",
        "  ls | head -5 | ./bus pub files          # ... and wc prints 5",
        "  ./bus sub t --via unix:/tmp/rb/bus.sock # through ./bus daemon",
        "  ./bus sub t --framed --count 1 | od -c  # the bytes of a message as they are"})
public final class SubCommand implements Callable<Integer> {
    /**
     * Most lines printed by one batch: one {@code await}, written (in writes of up to 4 KiB, each ending
     * at a line end), then committed. After a kill -9 between the write and the commit, a durable
     * successor prints that batch again: at most this many lines repeat.
     */
    static final int MAX_BATCH_LINES = 64;
    private static final long WAIT_SLICE_NANOS = 200_000_000L;

    @Spec
    CommandSpec spec;

    @Mixin
    BusOptions bus;

    @Mixin
    ViaOptions via;

    @Parameters(index = "0", paramLabel = "TOPIC", converter = TopicArguments.Name.class,
        description = "Topic name: 1-100 letters, digits, '.', '_', '-', starting with a letter or digit.")
    String topic;

    @Option(names = "--framed", description = "Write each message as a frame (int32 length, int32 type, little-endian,"
        + " then the payload unchanged) instead of a UTF-8 line: byte-transparent.")
    boolean framed;

    @Option(names = "--count", paramLabel = "N", description = "Exit after N messages (default: run until stopped).")
    Long count;

    @Option(names = "--from", paramLabel = "latest|earliest", defaultValue = "latest",
        description = "Start with messages published from now on (latest, the default) or with the oldest message"
            + " still in the ring that no publisher may overwrite any more (earliest: on a ring that has wrapped,"
            + " up to a quarter of the ring's oldest bytes may be left out). A durable subscriber that exists"
            + " resumes instead.")
    String from;

    @Option(names = "--name", paramLabel = "NAME",
        description = "Durable subscriber name (up to 32 bytes): its position (after the last line written)"
            + " outlives this process, and the next subscriber of that name resumes there.")
    String name;

    @Option(names = "--timeout", paramLabel = "SECONDS",
        description = "Give up after this many seconds; with --count, exit 1 if fewer messages came.")
    Double timeoutSeconds;

    @Option(names = "--capacity", paramLabel = "BYTES", converter = SizeConverter.class,
        description = "Ring capacity if this creates the topic (65536, 64k, 1m; default 1m).")
    Integer capacity;

    @Option(names = "--time", description = "Start each line with the message's publish time (UTC, ns) and a space;"
        + " '-' on a topic without publish times (./bus pub --timestamps makes one with them).")
    boolean time;

    @Override
    public Integer call() {
        if (count != null && count < 0) {
            throw new ParameterException(spec.commandLine(), "--count must be 0 or more, not " + count);
        }
        if (timeoutSeconds != null && !(timeoutSeconds > 0)) {
            throw new ParameterException(spec.commandLine(), "--timeout must be a positive number of seconds");
        }
        if (framed && time) {
            throw new ParameterException(spec.commandLine(), "--time starts each line with a time and --framed writes"
                + " frames, not lines: use one of them");
        }
        TopicArguments.checkDurableName(spec, name);
        TopicConfig topicConfig = TopicArguments.config(spec, capacity, null);
        SubscriberConfig config = new SubscriberConfig()
            .start(startPosition())
            .wakeup(WakeupMode.BLOCKING)
            .explicitCommit(true); // what was printed, not what was polled, is consumed
        if (name != null) {
            config.durableName(name);
        }
        PrintWriter out = spec.commandLine().getOut();
        LineOutput output = framed ? LineOutput.of(out).framed() : LineOutput.of(out);
        Subscriber[] subscribed = new Subscriber[1];
        MessageHandler lines = framed
            ? (typeId, buffer, offset, length) -> output.addFrame(typeId, buffer, offset, length)
            : (typeId, buffer, offset, length) -> {
                if (time) {
                    long published = subscribed[0].publishTime();
                    output.addPrefix(published == Subscriber.NO_PUBLISH_TIME ? "- "
                        : java.time.Instant.ofEpochSecond(0, published) + " ");
                }
                output.addMessage(buffer, offset, length);
            };
        boolean watchOutput = out instanceof BusCommand.StandardOutput;
        long deadline = timeoutSeconds == null ? Long.MAX_VALUE
            : System.nanoTime() + (long) (timeoutSeconds * 1e9);
        boolean timedOut = false;
        long printed = 0;
        try (BusClient client = via.open(bus)) {
            Subscriber subscriber = client.newSubscriber(topic, topicConfig, config);
            subscribed[0] = subscriber;
            // Ctrl-C and SIGTERM only ask: the loop ends after a wait slice, with its last batch written
            // and committed (closing the subscriber under a batch would leave it uncommitted).
            try (Interruption interruption = new Interruption(() -> { }, true)) {
                while (!interruption.requested() && (count == null || printed < count)) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        timedOut = true;
                        break;
                    }
                    int limit = count == null ? MAX_BATCH_LINES : (int) Math.min(MAX_BATCH_LINES, count - printed);
                    int got = subscriber.await(lines, limit, Math.min(remaining, WAIT_SLICE_NANOS));
                    if (got > 0) {
                        if (!output.write()) {
                            break; // nobody reads standard output (| head -1): these lines reached nobody
                        }
                        subscriber.commit(); // only now: a kill before this repeats the batch, never loses it
                        printed += got;
                    } else if (watchOutput && BusCommand.StandardOutput.readerGone()) {
                        break; // standard output was closed (| head -1, say): nobody reads any more
                    }
                }
            }
        }
        if (timedOut && count != null) {
            throw new RingBusException("timed out after " + timeoutSeconds + " s with " + printed + " of "
                + count + " messages");
        }
        return 0;
    }

    private StartPosition startPosition() {
        return switch (from.toLowerCase(java.util.Locale.ROOT)) {
            case "latest" -> StartPosition.LATEST;
            case "earliest" -> StartPosition.EARLIEST;
            default -> throw new ParameterException(spec.commandLine(),
                "--from must be latest or earliest, not '" + from + "'");
        };
    }
}
