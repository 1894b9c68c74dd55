package io.ringbus.examples;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.examples.sbe.MessageHeaderEncoder;
import io.ringbus.examples.sbe.OrderEncoder;
import io.ringbus.examples.sbe.Side;
import io.ringbus.examples.support.CommandLines;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.transport.codec.AgronaClaim;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Publishes orders encoded with SBE straight into claimed ring space: the codecs are generated at build time
 * from {@code src/main/resources/sbe/order-schema.xml}, and they write through an {@link AgronaClaim}, an Agrona
 * buffer made once and re-pointed at every claim (no copy, nothing allocated per order).
 * {@link SbeOrderSubscriber} decodes them the same way.
 *
 * <pre>
 *   terminal 1: ./bus sample order-subscriber-sbe
 *   terminal 2: ./bus sample order-publisher-sbe
 *
 *   plain java: java --enable-native-access=ALL-UNNAMED --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED \
 *                    -cp bus-examples/target/ringbus.jar io.ringbus.examples.SbeOrderPublisher
 * </pre>
 */
@Command(name = "order-publisher-sbe", aliases = "SbeOrderPublisher",
    mixinStandardHelpOptions = true,
    description = {"Publishes orders encoded with SBE straight into claimed ring space (topic orders-sbe by"
            + " default), one every --interval-ms.",
        "Runs with Agrona's JVM flag, which ./bus gives to this sample (see CodecFlags)."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":--count orders published", ExitCodes.FAILURE, ExitCodes.USAGE,
        ExitCodes.SIGNALS},
    footer = {"", "Example: ./bus sample order-publisher-sbe --count 5 --interval-ms 100"})
public final class SbeOrderPublisher implements Callable<Integer> {
    /** One order on the wire: SBE's message header, then the order's fixed block. */
    static final int LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + OrderEncoder.BLOCK_LENGTH;

    @Option(names = "--dir", description = "Bus directory (default: /dev/shm/ringbus-$USER/default).")
    Path directory;

    @Option(names = "--topic", description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic = "orders-sbe";

    @Option(names = "--count", description = "Orders to publish (default: ${DEFAULT-VALUE}).")
    int count = 10;

    @Option(names = "--interval-ms", description = "Pause between orders (default: ${DEFAULT-VALUE}).")
    long intervalMillis = 500;

    /** Runs the sample. */
    public static void main(String[] args) {
        System.exit(CommandLines.configure(new CommandLine(new SbeOrderPublisher())).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        BusContext context = new BusContext();
        if (directory != null) {
            context.directory(directory);
        }
        MessageHeaderEncoder header = new MessageHeaderEncoder();
        OrderEncoder encoder = new OrderEncoder();
        IdleStrategy idle = new BackoffIdleStrategy();
        try (Bus bus = Bus.open(context);
             Publisher publisher = bus.newPublisher(topic);
             AgronaClaim claim = new AgronaClaim(publisher)) {          // once: re-pointed at every claim
            for (int i = 1; i <= count; i++) {
                long position;
                while ((position = claim.tryClaim(LENGTH)) < 0) {
                    if (position == Result.CLOSED) {
                        throw new IllegalStateException("the publisher was closed");
                    }
                    idle.idle();                                           // BACK_PRESSURED: a subscriber is behind
                }
                idle.reset();
                encoder.wrapAndApplyHeader(claim.buffer(), 0, header)     // index 0: the claim's first byte
                    .orderId(i)
                    .instrument(1_000 + i % 7)
                    .price(99.5 + i / 4.0)
                    .quantity(10 * i)
                    .side(i % 2 == 1 ? Side.BUY : Side.SELL);
                claim.commit();
                System.out.println("published order " + i + " at position " + position);
                Thread.sleep(intervalMillis);
            }
        }
        return 0;
    }
}
