package io.ringbus.examples.cli;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.RingBusException;
import io.ringbus.core.TopicConfig;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code bus pub TOPIC}: each line of standard input becomes one message (its bytes as they are,
 * UTF-8 in practice, without the newline). A full ring is waited out, never dropped; at end of input
 * the command exits 0 once every line was published.
 */
@Command(name = "pub",
    mixinStandardHelpOptions = true,
    description = {"Publishes each line of standard input to TOPIC as one message (its bytes, without the newline).",
        "Creates the topic if it does not exist. While a subscriber is a whole ring behind, waits rather than"
            + " drop a line. Exits 0 at end of input, when every line has been published."},
    footer = {"", "Examples:",
        "  printf 'a\\nb\\nc\\n' | ./bus pub t          # three messages: a, b, c",
        "  ./bus sub t --count 3 --from earliest    # in another shell: prints a, b and c",
        "  tail -f app.log | ./bus pub logs --capacity 4m"})
public final class PubCommand implements Callable<Integer> {
    @ParentCommand
    BusCommand parent;

    @Mixin
    BusOptions bus;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "Topic name: letters, digits, '.', '_', '-'.")
    String topic;

    @Option(names = "--capacity", paramLabel = "BYTES", converter = SizeConverter.class,
        description = "Ring capacity of a new topic, a power of two (65536, 64k, 1m; default 1m). For an existing"
            + " topic, what it must have.")
    Integer capacity;

    @Option(names = "--max-message", paramLabel = "BYTES", converter = SizeConverter.class,
        description = "Longest message of a new topic (default and most: capacity/8). For an existing topic, what"
            + " it must have.")
    Integer maxMessage;

    @Override
    public Integer call() throws IOException {
        TopicConfig config = new TopicConfig();
        if (capacity != null) {
            config.capacity(capacity);
        }
        if (maxMessage != null) {
            config.maxMessageLength(maxMessage);
        }
        InputStream input = parent != null ? parent.input() : System.in;
        try (Bus opened = Bus.open(bus.context())) {
            Publisher publisher = opened.newPublisher(topic, config);
            LinePublisher lines = new LinePublisher(publisher);
            // Ctrl-C / SIGTERM: close the publisher between two offers (never mid-offer), then exit; a
            // read of standard input may block for ever, so the hook does not wait for the command.
            Interruption interruption = new Interruption(lines::stop, false);
            try {
                lines.publishAll(input);
            } finally {
                interruption.close();
                lines.stop();
            }
        }
        return 0;
    }

    /**
     * Splits a byte stream at '\n' and offers each line, retrying while back-pressured. Offers and
     * {@link #stop()} hold the same lock, so the publisher is never closed in the middle of an offer.
     */
    private static final class LinePublisher {
        private final Publisher publisher;
        private final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
        private volatile boolean stopping;
        private byte[] pending = new byte[256];
        private int pendingLength;
        private long lineNumber;

        LinePublisher(Publisher publisher) {
            this.publisher = publisher;
        }

        /** Stops publishing and closes the publisher: waits for an offer under way (not for a read). */
        void stop() {
            stopping = true;
            synchronized (this) {
                publisher.close();
            }
        }

        void publishAll(InputStream input) throws IOException {
            byte[] chunk = new byte[64 * 1024];
            int read;
            while (!stopping && (read = input.read(chunk)) >= 0) {
                int lineStart = 0;
                for (int i = 0; i < read; i++) {
                    if (chunk[i] == '\n') {
                        boolean offered;
                        if (pendingLength == 0) {
                            offered = offer(chunk, lineStart, i - lineStart);
                        } else {
                            append(chunk, lineStart, i - lineStart);
                            offered = offer(pending, 0, pendingLength);
                            pendingLength = 0;
                        }
                        if (!offered) {
                            return;
                        }
                        lineStart = i + 1;
                    }
                }
                append(chunk, lineStart, read - lineStart);
            }
            if (pendingLength > 0) {
                offer(pending, 0, pendingLength); // a last line without its newline
            }
        }

        private void append(byte[] bytes, int offset, int length) {
            if (pendingLength + length > publisher.maxMessageLength()) {
                throw tooLong(pendingLength + length);
            }
            if (pendingLength + length > pending.length) {
                pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + length));
            }
            System.arraycopy(bytes, offset, pending, pendingLength, length);
            pendingLength += length;
        }

        /** Offers one line, waiting while back-pressured; false when stopped first. */
        private synchronized boolean offer(byte[] bytes, int offset, int length) {
            if (length > publisher.maxMessageLength()) {
                throw tooLong(length);
            }
            lineNumber++;
            idle.reset();
            while (!stopping) {
                long result = publisher.offer(bytes, offset, length);
                if (result >= 0) {
                    return true;
                }
                if (result == Result.CLOSED || result == Result.MAX_POSITION_EXCEEDED) {
                    throw new RingBusException("line " + lineNumber + " was not published: "
                        + Result.describe(result));
                }
                if (result != Result.ADMIN_ACTION) {
                    idle.idle(); // BACK_PRESSURED: a subscriber is a whole ring behind; wait for it
                }
            }
            return false;
        }

        private RingBusException tooLong(int length) {
            return new RingBusException("line " + (lineNumber + 1) + " is longer (" + length + " bytes or more) than"
                + " the topic's maximum message length of " + publisher.maxMessageLength() + " bytes; nothing of it"
                + " was published. Create the topic with a larger --capacity (maximum message: capacity/8).");
        }
    }
}
