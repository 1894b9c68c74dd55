package io.ringbus.examples;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.examples.sbe.MessageHeaderDecoder;
import io.ringbus.examples.sbe.OrderDecoder;
import io.ringbus.examples.support.CommandLines;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.transport.codec.AgronaPayload;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.agrona.DirectBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Prints the orders {@link SbeOrderPublisher} publishes, decoded with SBE straight from the ring: the
 * {@link AgronaPayload} view is made once and re-pointed at every message. A message that is not an order
 * of this schema (another schema, too short) is reported and skipped rather than decoded.
 *
 * <pre>
 *   terminal 1: ./bus sample order-subscriber-sbe
 *   terminal 2: ./bus sample order-publisher-sbe
 * </pre>
 */
@Command(name = "order-subscriber-sbe", aliases = "SbeOrderSubscriber",
    mixinStandardHelpOptions = true,
    description = {"Prints the orders of a topic (orders-sbe by default), decoded with SBE straight from the ring,"
            + " until --count orders or Ctrl-C.",
        "Runs with Agrona's JVM flag, which ./bus gives to this sample (see CodecFlags)."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":--count orders printed", ExitCodes.FAILURE, ExitCodes.USAGE,
        ExitCodes.SIGNALS},
    footer = {"", "Examples:", "  ./bus sample order-subscriber-sbe",
        "  ./bus sample order-subscriber-sbe --from-earliest --count 5"})
public final class SbeOrderSubscriber implements Callable<Integer> {
    @Option(names = "--dir", description = "Bus directory (default: /dev/shm/ringbus-$USER/default).")
    Path directory;

    @Option(names = "--topic", description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic = "orders-sbe";

    @Option(names = "--count", description = "Exit after this many orders (default: run until Ctrl-C).")
    long count = Long.MAX_VALUE;

    @Option(names = "--from-earliest", description = "Start with the oldest order still in the ring.")
    boolean earliest;

    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final OrderDecoder order = new OrderDecoder();
    private long printed;

    /** Runs the sample. */
    public static void main(String[] args) {
        System.exit(CommandLines.configure(new CommandLine(new SbeOrderSubscriber())).execute(args));
    }

    @Override
    public Integer call() {
        BusContext context = new BusContext();
        if (directory != null) {
            context.directory(directory);
        }
        AgronaPayload payload = new AgronaPayload();                          // once
        MessageHandler printer = (typeId, buffer, offset, length) -> {
            print(payload.wrap(buffer, offset, length), length);              // straight from the ring
            printed++;
        };
        SubscriberConfig config = new SubscriberConfig()
            .start(earliest ? StartPosition.EARLIEST : StartPosition.LATEST);
        try (Bus bus = Bus.open(context)) {
            Subscriber subscriber = bus.newSubscriber(topic, new TopicConfig(), config);
            System.out.println("subscribed to '" + topic + "' in " + bus.context().directory() + "; Ctrl-C to stop");
            while (printed < count) {
                subscriber.await(printer, (int) Math.min(10, count - printed), 200_000_000L);
            }
        }
        return 0;
    }

    private void print(DirectBuffer message, int length) {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH) {
            System.out.println("skipped a message of " + length + " bytes: shorter than an SBE header");
            return;
        }
        header.wrap(message, 0);
        if (header.schemaId() != OrderDecoder.SCHEMA_ID || header.templateId() != OrderDecoder.TEMPLATE_ID
            || length < MessageHeaderDecoder.ENCODED_LENGTH + header.blockLength()) {
            System.out.println("skipped a message of " + length + " bytes: not an order of schema "
                + OrderDecoder.SCHEMA_ID);
            return;
        }
        order.wrapAndApplyHeader(message, 0, header);
        System.out.println("received order " + order.orderId() + ": " + order.side() + " " + order.quantity()
            + " of " + order.instrument() + " at " + order.price());
    }
}
