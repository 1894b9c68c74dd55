package io.ringbus.examples;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.examples.support.CommandLines;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.transport.codec.ChroniclePayload;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Prints the orders {@link ChronicleOrderPublisher} publishes, read as a Chronicle {@code BytesMarshallable}
 * straight from the ring: the {@link ChroniclePayload} view is made once and re-pointed at every message.
 *
 * <pre>
 *   terminal 1: ./bus sample order-subscriber-chronicle
 *   terminal 2: ./bus sample order-publisher-chronicle
 * </pre>
 */
@Command(name = "order-subscriber-chronicle", aliases = "ChronicleOrderSubscriber",
    mixinStandardHelpOptions = true,
    description = {"Prints the orders of a topic (orders-chronicle by default), read as a Chronicle"
            + " BytesMarshallable straight from the ring, until --count orders or Ctrl-C.",
        "Runs with Chronicle's JVM flags, which ./bus gives to this sample (see CodecFlags)."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":--count orders printed", ExitCodes.FAILURE, ExitCodes.USAGE,
        ExitCodes.SIGNALS},
    footer = {"", "Examples:", "  ./bus sample order-subscriber-chronicle",
        "  ./bus sample order-subscriber-chronicle --from-earliest --count 5"})
public final class ChronicleOrderSubscriber implements Callable<Integer> {
    @Option(names = "--dir", description = "Bus directory (default: /dev/shm/ringbus-$USER/default).")
    Path directory;

    @Option(names = "--topic", description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic = "orders-chronicle";

    @Option(names = "--count", description = "Exit after this many orders (default: run until Ctrl-C).")
    long count = Long.MAX_VALUE;

    @Option(names = "--from-earliest", description = "Start with the oldest order still in the ring.")
    boolean earliest;

    private long printed;

    /** Runs the sample. */
    public static void main(String[] args) {
        System.exit(CommandLines.configure(new CommandLine(new ChronicleOrderSubscriber())).execute(args));
    }

    @Override
    public Integer call() {
        BusContext context = new BusContext();
        if (directory != null) {
            context.directory(directory);
        }
        ChronicleOrder order = new ChronicleOrder();
        SubscriberConfig config = new SubscriberConfig()
            .start(earliest ? StartPosition.EARLIEST : StartPosition.LATEST);
        try (Bus bus = Bus.open(context); ChroniclePayload payload = new ChroniclePayload()) { // once
            MessageHandler printer = (typeId, buffer, offset, length) -> {
                order.readMarshallable(payload.wrap(buffer, offset, length));          // straight from the ring
                System.out.println("received " + order);
                printed++;
            };
            Subscriber subscriber = bus.newSubscriber(topic, new TopicConfig(), config);
            System.out.println("subscribed to '" + topic + "' in " + bus.context().directory() + "; Ctrl-C to stop");
            while (printed < count) {
                subscriber.await(printer, (int) Math.min(10, count - printed), 200_000_000L);
            }
        }
        return 0;
    }
}
