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
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
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
 */
@Command(name = "sub",
    mixinStandardHelpOptions = true,
    description = {"Prints each message of TOPIC as one line (UTF-8), as it arrives. Creates the topic if it does not"
            + " exist. Waits without spinning. Runs until --count messages were printed, or Ctrl-C / SIGTERM.",
        "While it runs, publishers wait for it when it is a whole ring behind: nothing is lost.",
        "When the reader of its output goes away (| head -1), it exits quietly (status 0) within 0.2 s.",
        "With --via pipe: (a child of ./bus run) its standard output carries frames, so it prints to standard"
            + " error."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {"0:--count messages printed, or standard output closed by its reader",
        "1:a failure the one-line message explains, or --timeout before --count messages",
        "2:bad usage",
        "130:Ctrl-C (143: SIGTERM), after releasing its subscriber slot"},
    footer = {"", "Examples:",
        "  ./bus sub t --count 3 --from earliest   # the 3 oldest messages in the ring",
        "  ./bus sub t                             # from now on, until Ctrl-C",
        "  ./bus sub t --name audit                # durable: resumes where the last 'audit' stopped",
        "  ./bus sub files --count 5 | wc -l &     # joins first, then",
        "  ls | head -5 | ./bus pub files          # ... and wc prints 5",
        "  ./bus sub t --via unix:/tmp/rb/bus.sock # through ./bus daemon"})
public final class SubCommand implements Callable<Integer> {
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

    @Option(names = "--count", paramLabel = "N", description = "Exit after N messages (default: run until stopped).")
    Long count;

    @Option(names = "--from", paramLabel = "latest|earliest", defaultValue = "latest",
        description = "Start with messages published from now on (latest, the default) or with the oldest message"
            + " still in the ring (earliest). A durable subscriber that exists resumes instead.")
    String from;

    @Option(names = "--name", paramLabel = "NAME",
        description = "Durable subscriber name (up to 32 bytes): its position outlives this process, and the next"
            + " subscriber of that name resumes there.")
    String name;

    @Option(names = "--timeout", paramLabel = "SECONDS",
        description = "Give up after this many seconds; with --count, exit 1 if fewer messages came.")
    Double timeoutSeconds;

    @Option(names = "--capacity", paramLabel = "BYTES", converter = SizeConverter.class,
        description = "Ring capacity if this creates the topic (65536, 64k, 1m; default 1m).")
    Integer capacity;

    @Override
    public Integer call() {
        if (count != null && count < 0) {
            throw new ParameterException(spec.commandLine(), "--count must be 0 or more, not " + count);
        }
        if (timeoutSeconds != null && !(timeoutSeconds > 0)) {
            throw new ParameterException(spec.commandLine(), "--timeout must be a positive number of seconds");
        }
        TopicArguments.checkDurableName(spec, name);
        TopicConfig topicConfig = TopicArguments.config(spec, capacity, null);
        SubscriberConfig config = new SubscriberConfig()
            .start(startPosition())
            .wakeup(WakeupMode.BLOCKING);
        if (name != null) {
            config.durableName(name);
        }
        PrintWriter out = spec.commandLine().getOut();
        LinePrinter printer = new LinePrinter(out);
        boolean watchOutput = out instanceof BusCommand.StandardOutput;
        long deadline = timeoutSeconds == null ? Long.MAX_VALUE
            : System.nanoTime() + (long) (timeoutSeconds * 1e9);
        boolean timedOut = false;
        try (BusClient client = via.open(bus)) {
            Subscriber subscriber = client.newSubscriber(topic, topicConfig, config);
            try (Interruption interruption = new Interruption(subscriber::close, true)) {
                while (!interruption.requested() && (count == null || printer.printed < count)) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        timedOut = true;
                        break;
                    }
                    int limit = count == null ? 256 : (int) Math.min(256, count - printer.printed);
                    int printed = subscriber.await(printer, limit, Math.min(remaining, WAIT_SLICE_NANOS));
                    if (printed > 0 ? out.checkError() : watchOutput && BusCommand.StandardOutput.readerGone()) {
                        break; // standard output was closed (| head -1, say): nobody reads any more
                    }
                }
                out.flush();
            }
        }
        if (timedOut && count != null) {
            throw new RingBusException("timed out after " + timeoutSeconds + " s with " + printer.printed + " of "
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

    /** Writes each message as a line; decodes UTF-8 (malformed bytes become U+FFFD). */
    private static final class LinePrinter implements MessageHandler {
        private final PrintWriter out;
        private byte[] bytes = new byte[256];
        long printed;

        LinePrinter(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            if (length > bytes.length) {
                bytes = new byte[Math.max(length, bytes.length * 2)];
            }
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, offset, bytes, 0, length);
            out.write(new String(bytes, 0, length, StandardCharsets.UTF_8));
            out.write('\n');
            printed++;
        }
    }
}
