package io.ringbus.examples.cli;

import io.ringbus.core.Publisher;
import io.ringbus.core.RingBusException;
import io.ringbus.core.TopicConfig;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.examples.support.SizeConverter;
import io.ringbus.examples.support.TopicArguments;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.ConfirmingPublisher;
import io.ringbus.transport.ConnectionListener;
import io.ringbus.transport.TransportException;
import io.ringbus.transport.TransportUri;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code bus pub TOPIC}: each line of standard input becomes one message (its bytes as they are,
 * UTF-8 in practice, without the newline), on shared memory or through a bridge ({@code --via}). A
 * full ring is waited out, never dropped; at end of input the command exits 0 once every line was
 * published. Through a bridge, once the bridge said so: the stream ends with {@code END}, and exit 0 waits
 * for the bridge's {@code PUBLISHED} ({@link ConfirmingPublisher#closeAndConfirm}). A bridge that dies
 * first, or went away meanwhile (the lines it had taken but not yet published went with it, and nothing
 * tells how many), makes it exit 1 saying how many lines it cannot vouch for.
 */
@Command(name = "pub",
    mixinStandardHelpOptions = true,
    description = {"Publishes each line of standard input to TOPIC as one message (its bytes, without the newline).",
        "Creates the topic if it does not exist. While a subscriber is a whole ring behind, waits rather than"
            + " drop a line. Exits 0 at end of input, when every line has been published.",
        "Through a bridge (--via), exits 0 once the bridge has confirmed that every line is in the ring; a bridge"
            + " that dies first makes it exit 1, saying how many lines it cannot vouch for. A bridge that goes"
            + " away meanwhile is waited for, and pub goes on once it is back, but the lines the bridge had taken"
            + " and not yet published are lost with it: it then exits 1 at end of input.",
        "Subscribers started with --from latest (the default) see only lines published after they joined:"
            + " start them first, or use --from earliest."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {"0:every line of standard input was published (through --via: as the bridge confirmed)",
        "1:a failure the one-line message explains (bus directory, topic shape, no bridge at --via, the bridge"
            + " went away while publishing or died before it confirmed, ...)",
        ExitCodes.USAGE,
        ExitCodes.SIGNALS + ", after the line being published"},
    footer = {"", "Examples:",
        "  printf 'a\\nb\\nc\\n' | ./bus pub t          # three messages: a, b, c",
        "  ./bus sub t --count 3 --from earliest    # in another shell: prints a, b and c",
        "  ls | ./bus pub files                     # one message per file name",
        "  ls | ./bus pub files --via unix:/tmp/rb/bus.sock   # through ./bus daemon",
        "  tail -f app.log | ./bus pub logs --capacity 4m",
        "  seq 1 10 | ./bus pub ticks --timestamps        # each message carries its publish time"})
public final class PubCommand implements Callable<Integer> {
    @ParentCommand
    BusCommand parent;

    @Spec
    CommandSpec spec;

    @Mixin
    BusOptions bus;

    @Mixin
    ViaOptions via;

    @Parameters(index = "0", paramLabel = "TOPIC", converter = TopicArguments.Name.class,
        description = "Topic name: 1-100 letters, digits, '.', '_', '-', starting with a letter or digit.")
    String topic;

    @Option(names = "--capacity", paramLabel = "BYTES", converter = SizeConverter.class,
        description = "Ring capacity of a new topic, a power of two (65536, 64k, 1m; default 1m). For an existing"
            + " topic, what it must have.")
    Integer capacity;

    @Option(names = "--max-message", paramLabel = "BYTES", converter = SizeConverter.class,
        description = "Longest message of a new topic (default and most: capacity/8). For an existing topic, what"
            + " it must have.")
    Integer maxMessage;

    @Option(names = "--timestamps", description = "A new topic stamps every message with its publish time (subscribers"
        + " read it; ./bus record stores it); an existing topic must have them.")
    boolean timestamps;

    @Override
    public Integer call() throws IOException {
        TopicConfig config = TopicArguments.config(spec, capacity, maxMessage);
        if (timestamps) {
            config.timestamps(true);
        }
        if (via.uri().kind() == TransportUri.Kind.PIPE) {
            throw new ParameterException(spec.commandLine(), "--via pipe: makes standard input carry frames, not"
                + " lines; to publish what a program prints, use ./bus run --lines --pub TOPIC -- PROGRAM");
        }
        InputStream input = parent != null ? parent.input() : System.in;
        // Batching: lines share system calls (a line alone on the stream still goes out within about
        // 100 us, written by the client's background flusher); one write per line capped pub at a tenth
        // of what the path carries.
        AtomicInteger disconnects = new AtomicInteger();
        ConnectionListener said = ConnectionListener.toStandardError();
        ConnectionListener counting = new ConnectionListener() {
            @Override
            public void onDisconnected(TransportUri uri, String topic, String reason) {
                disconnects.incrementAndGet();
                said.onDisconnected(uri, topic, reason);
            }

            @Override
            public void onReconnected(TransportUri uri, String topic) {
                said.onReconnected(uri, topic);
            }
        };
        LinePublisher lines;
        Long confirmed = null;
        String unconfirmed = null;
        try (BusClient client = via.open(bus, true, counting)) {
            Publisher publisher = client.newPublisher(topic, config);
            lines = new LinePublisher(publisher);
            // Ctrl-C / SIGTERM: close the publisher between two offers (never mid-offer), then exit; a
            // read of standard input may block for ever, so the hook does not wait for the command. Its
            // close also ends a wait for the bridge's confirmation.
            Interruption interruption = new Interruption(lines::stop, false);
            try {
                lines.publishAll(input);
                if (publisher instanceof ConfirmingPublisher stream && !interruption.requested()) {
                    // Every line is with the bridge or on its way: exit 0 only once it says they are in the
                    // ring. As long as it lives, however long a subscriber holds the ring full (as an offer
                    // waits); a bridge that dies or is killed ends the wait.
                    try {
                        confirmed = stream.closeAndConfirm(ConfirmingPublisher.NO_TIMEOUT);
                    } catch (TransportException e) {
                        unconfirmed = e.getMessage();
                    }
                }
            } finally {
                interruption.close();
                lines.stop();
            }
        }
        return outcome(lines.published(), disconnects.get(), confirmed, unconfirmed);
    }

    /**
     * Exit 0 when every line read is in the ring (on a stream path, as its bridge confirmed); otherwise a
     * typed error saying how many lines pub cannot vouch for, and what to do. The bridge confirms a
     * connection at a time, so after a reconnection only the lines sent on the last connection count.
     *
     * @param confirmed what the bridge confirmed, {@link ConfirmingPublisher#NOT_CONFIRMED} from an older
     *     bridge, or null when not asked (shared memory, where a line is in the ring once offered)
     */
    private int outcome(long read, int disconnects, Long confirmed, String unconfirmed) {
        String redo = " Compare what subscribers got with the input and publish the missing lines again; or, where"
            + " repeats do no harm, publish them again (the bus does not drop repeats: number your lines to tell"
            + " them apart).";
        if (unconfirmed != null && disconnects == 0) {
            String reason = Character.toLowerCase(unconfirmed.charAt(0)) + unconfirmed.substring(1);
            throw new RingBusException(read + " lines read, but " + reason + "; pub cannot vouch for " + read
                + " of them (lines 1 to " + read + ")." + redo);
        }
        long vouched = unconfirmed != null || confirmed == null || confirmed == ConfirmingPublisher.NOT_CONFIRMED
            ? 0 : confirmed;
        if (disconnects == 0 && (confirmed == null || confirmed == ConfirmingPublisher.NOT_CONFIRMED)) {
            if (confirmed != null) {
                System.err.println("bus pub: the bridge at " + via.uri() + " predates END/PUBLISHED: " + read
                    + " lines sent, not confirmed in the ring (a newer daemon confirms them)");
            }
            return 0;
        }
        if (vouched >= read) {
            return 0; // every line went on the last connection, confirmed (a reconnection before any was sent)
        }
        // The bridge went away while the lines were published: what the dead one had read, or what sat in
        // its stream, is unknown; only the last connection's lines are confirmed.
        throw new RingBusException(read + " lines read, but the bridge at " + via.uri() + " went away "
            + times(disconnects) + " while they were published: the lines it had taken and not yet published were"
            + " lost with it. pub cannot vouch for " + (read - vouched) + " of them (lines 1 to "
            + (read - vouched) + ")" + (vouched > 0 ? "; the last " + vouched + " are confirmed in the ring." : ".")
            + redo);
    }

    private static String times(int disconnects) {
        return disconnects == 1 ? "once" : disconnects + " times";
    }
}
