package io.ringbus.examples.cli;

import io.ringbus.core.SlowConsumerPolicy;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.core.ring.RecordDescriptor;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.examples.support.TopicArguments;
import io.ringbus.transport.BusClient;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bus tail TOPIC}: shows the messages of a topic as they pass, as escaped text or as a hex dump,
 * each headed by its position and length. It never holds publishers back: it subscribes with
 * {@link SlowConsumerPolicy#EVICT} and a short stall limit, so when it (or whoever reads its output)
 * falls a whole ring behind, publishers go on and tail reports what it skipped.
 */
@Command(name = "tail",
    mixinStandardHelpOptions = true,
    description = {"Shows the messages of TOPIC as they pass: one line each, prefixed with @POSITION and the"
            + " length, printable UTF-8 as it is and anything else escaped (\\n, \\t, \\\\, \\xNN); or with --hex"
            + " a dump like xxd (offset, 16 bytes in hex, ASCII).",
        "Never holds publishers back: it is an evictable subscriber, so when it falls a whole ring behind for"
            + " longer than --evict-after (a slow terminal, a paused pager) publishers go on without it, and it"
            + " prints a line '-- skipped N bytes (tail was too slow)' and carries on from the oldest message"
            + " still in the ring.",
        "POSITION is the record's ring position on shared memory; with --via a stream path it counts the frame"
            + " bytes this tail received. Creates the topic if it does not exist (as sub does).",
        "When the reader of its output goes away (| head), it exits quietly (status 0).",
        "Whole lines only: what it shows of each message goes to standard output with write(2) calls of at most"
            + " 4096 bytes that each end at a line end, so killing it leaves no half line (as for sub). tail has no"
            + " --name: it is never durable, and a new tail starts with the next message (or --from earliest)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {ExitCodes.OK + ":--count messages shown, or standard output closed by its reader",
        ExitCodes.FAILURE,
        ExitCodes.USAGE,
        ExitCodes.SIGNALS},
    footer = {"", "Examples:",
        "  ./bus tail quotes                       # from now on, until Ctrl-C",
        "  ./bus tail quotes --hex --count 2       # two messages as a hex dump",
        "  ./bus tail quotes --from earliest | less",
        "  ./bus tail quotes --via unix:/tmp/rb/bus.sock   # through ./bus daemon"})
public final class TailCommand implements Callable<Integer> {
    private static final long WAIT_SLICE_NANOS = 200_000_000L;
    private static final int HEX_ROW = 16;

    @Spec
    CommandSpec spec;

    @Mixin
    BusOptions bus;

    @Mixin
    ViaOptions via;

    @Parameters(index = "0", paramLabel = "TOPIC", converter = TopicArguments.Name.class,
        description = "Topic name: 1-100 letters, digits, '.', '_', '-', starting with a letter or digit.")
    String topic;

    @Option(names = "--hex", description = "A hex dump of each message (like xxd) instead of escaped text.")
    boolean hex;

    @Option(names = "--from", paramLabel = "latest|earliest", defaultValue = "latest",
        description = "Start with messages published from now on (latest, the default) or with the oldest message"
            + " still in the ring (earliest).")
    String from;

    @Option(names = "--count", paramLabel = "N", description = "Exit after N messages (default: run until stopped).")
    Long count;

    @Option(names = "--evict-after", paramLabel = "MILLIS", defaultValue = "100",
        description = "How long tail may hold publishers back, in milliseconds, before they go on without it"
            + " (default: ${DEFAULT-VALUE}).")
    long evictAfterMillis;

    @Override
    public Integer call() {
        if (count != null && count < 0) {
            throw new ParameterException(spec.commandLine(), "--count must be 0 or more, not " + count);
        }
        if (evictAfterMillis <= 0) {
            throw new ParameterException(spec.commandLine(), "--evict-after must be a positive number of ms");
        }
        PrintWriter out = spec.commandLine().getOut();
        Skips skips = new Skips();
        SubscriberConfig config = new SubscriberConfig()
            .start(startPosition())
            .wakeup(WakeupMode.BLOCKING)
            .slowConsumerPolicy(SlowConsumerPolicy.EVICT)
            .evictAfter(Duration.ofMillis(evictAfterMillis))
            .lossListener(skips);
        boolean watchOutput = out instanceof BusCommand.StandardOutput;
        LineOutput output = LineOutput.of(out); // whole lines only, even when killed
        Copy copy = new Copy();
        long shown = 0;
        try (BusClient client = via.open(bus)) {
            boolean ringPositions = !client.uri().isStream();
            Subscriber subscriber = client.newSubscriber(topic, new TopicConfig(), config);
            try (Interruption interruption = new Interruption(subscriber::close, true)) {
                while (!interruption.requested() && (count == null || shown < count)) {
                    long before = subscriber.position();
                    int got = subscriber.await(copy, 1, WAIT_SLICE_NANOS);
                    skips.report(output);
                    if (got == 1) {
                        // A record of a timestamped topic holds the publish time too.
                        int ringLength = subscriber.publishTime() == Subscriber.NO_PUBLISH_TIME ? copy.length
                            : copy.length + TopicConfig.TIMESTAMP_LENGTH;
                        long position = ringPositions
                            ? subscriber.position() - RecordDescriptor.recordLength(ringLength) : before;
                        print(output, position, copy.bytes, copy.length);
                        shown++;
                    }
                    if (output.lines() > 0) {
                        if (!output.write()) {
                            break; // nobody reads standard output any more (| head)
                        }
                    } else if (watchOutput ? BusCommand.StandardOutput.readerGone() : out.checkError()) {
                        break;
                    }
                }
            }
        }
        return 0;
    }

    private StartPosition startPosition() {
        return switch (from.toLowerCase(Locale.ROOT)) {
            case "latest" -> StartPosition.LATEST;
            case "earliest" -> StartPosition.EARLIEST;
            default -> throw new ParameterException(spec.commandLine(),
                "--from must be latest or earliest, not '" + from + "'");
        };
    }

    private void print(LineOutput output, long position, byte[] bytes, int length) {
        if (hex) {
            output.addText(hexDump(position, bytes, length));
        } else {
            output.addText("@" + position + " (" + length + " B) " + escape(bytes, length) + "\n");
        }
    }

    /**
     * A message as one line: printable UTF-8 as it is; backslash, tab, newline and carriage return as
     * {@code \\ \t \n \r}; any other control character or byte that is not part of valid UTF-8 as
     * {@code \xNN}.
     */
    static String escape(byte[] bytes, int length) {
        StringBuilder text = new StringBuilder(length + 8);
        int i = 0;
        while (i < length) {
            int b = bytes[i] & 0xFF;
            int size = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3
                : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
            int codePoint = size == 0 || i + size > length ? -1 : decode(bytes, i, size);
            if (codePoint < 0) {
                hexEscape(text, b);
                i++;
                continue;
            }
            switch (codePoint) {
                case '\\' -> text.append("\\\\");
                case '\n' -> text.append("\\n");
                case '\t' -> text.append("\\t");
                case '\r' -> text.append("\\r");
                default -> {
                    if (printable(codePoint)) {
                        text.appendCodePoint(codePoint);
                    } else {
                        for (int k = 0; k < size; k++) {
                            hexEscape(text, bytes[i + k] & 0xFF);
                        }
                    }
                }
            }
            i += size;
        }
        return text.toString();
    }

    /** The code point of a well-formed UTF-8 sequence of {@code size} bytes at {@code at}, or -1. */
    private static int decode(byte[] bytes, int at, int size) {
        int lead = bytes[at] & 0xFF;
        if (size == 1) {
            return lead;
        }
        int codePoint = lead & (0x7F >> size);
        for (int k = 1; k < size; k++) {
            int next = bytes[at + k] & 0xFF;
            if ((next & 0xC0) != 0x80) {
                return -1;
            }
            codePoint = (codePoint << 6) | (next & 0x3F);
        }
        int smallest = size == 2 ? 0x80 : size == 3 ? 0x800 : 0x10000;
        boolean surrogate = codePoint >= 0xD800 && codePoint <= 0xDFFF;
        return codePoint < smallest || codePoint > 0x10FFFF || surrogate ? -1 : codePoint;
    }

    private static boolean printable(int codePoint) {
        int type = Character.getType(codePoint);
        return !Character.isISOControl(codePoint) && type != Character.FORMAT && type != Character.UNASSIGNED
            && type != Character.PRIVATE_USE && type != Character.LINE_SEPARATOR
            && type != Character.PARAGRAPH_SEPARATOR;
    }

    private static void hexEscape(StringBuilder text, int b) {
        text.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xF, 16));
    }

    /**
     * A header line {@code @POSITION (LENGTH B)}, then rows as {@code xxd} prints them: the offset in the
     * message, 16 bytes in groups of two, and those bytes as ASCII ('.' for anything else).
     */
    static String hexDump(long position, byte[] bytes, int length) {
        StringBuilder text = new StringBuilder("@" + position + " (" + length + " B)\n");
        for (int row = 0; row < length; row += HEX_ROW) {
            text.append(String.format("%08x:", row));
            for (int k = 0; k < HEX_ROW; k++) {
                if (k % 2 == 0) {
                    text.append(' ');
                }
                if (row + k < length) {
                    int b = bytes[row + k] & 0xFF;
                    text.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xF, 16));
                } else {
                    text.append("  ");
                }
            }
            text.append("  ");
            for (int k = row; k < Math.min(length, row + HEX_ROW); k++) {
                int b = bytes[k] & 0xFF;
                text.append(b >= 0x20 && b < 0x7F ? (char) b : '.');
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** Copies the one message of a poll out of the ring, so that printing happens after the poll. */
    private static final class Copy implements MessageHandler {
        byte[] bytes = new byte[256];
        int length;

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            if (length > bytes.length) {
                bytes = new byte[Math.max(length, bytes.length * 2)];
            }
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, offset, bytes, 0, length);
            this.length = length;
        }
    }

    /** Evictions noted during a poll, printed after it. */
    private static final class Skips implements io.ringbus.core.LossListener {
        private long pendingBytes;
        private long fromPosition = -1;
        private long toPosition;

        @Override
        public void onLoss(long from, long to, long missedBytes) {
            if (fromPosition < 0) {
                fromPosition = from;
            }
            toPosition = to;
            pendingBytes += missedBytes;
        }

        void report(LineOutput output) {
            if (pendingBytes > 0) {
                output.addText("-- skipped " + pendingBytes + " bytes, @" + fromPosition + " to @" + toPosition
                    + " (tail was too slow)\n");
                pendingBytes = 0;
                fromPosition = -1;
            }
        }
    }
}
