package io.ringbus.examples;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.examples.support.CommandLines;
import io.ringbus.examples.support.ExitCodes;
import io.ringbus.transport.codec.ChronicleClaim;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Publishes orders written as a Chronicle {@code BytesMarshallable} straight into claimed ring space: the
 * {@link ChronicleClaim} view is made once and re-pointed at every claim (no copy, nothing allocated per
 * order). {@link ChronicleOrderSubscriber} reads them back the same way.
 *
 * <pre>
 *   terminal 1: ./bus sample order-subscriber-chronicle
 *   terminal 2: ./bus sample order-publisher-chronicle
 *
 *   plain java: java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *                    --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED \
 *                    --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED \
 *                    --add-opens=java.base/java.nio=ALL-UNNAMED \
 *                    -cp bus-examples/target/ringbus.jar io.ringbus.examples.ChronicleOrderPublisher
 * </pre>
 */
@Command(name = "order-publisher-chronicle", aliases = "ChronicleOrderPublisher",
    mixinStandardHelpOptions = true,
    description = {"Publishes orders written as a Chronicle BytesMarshallable straight into claimed ring space"
            + " (topic orders-chronicle by default), one every --interval-ms.",
        "Runs with Chronicle's JVM flags, which ./bus gives to this sample (see CodecFlags)."},
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":--count orders published", ExitCodes.FAILURE, ExitCodes.USAGE,
        ExitCodes.SIGNALS},
    footer = {"", "Example: ./bus sample order-publisher-chronicle --count 5 --interval-ms 100"})
public final class ChronicleOrderPublisher implements Callable<Integer> {
    @Option(names = "--dir", description = "Bus directory (default: /dev/shm/ringbus-$USER/default).")
    Path directory;

    @Option(names = "--topic", description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic = "orders-chronicle";

    @Option(names = "--count", description = "Orders to publish (default: ${DEFAULT-VALUE}).")
    int count = 10;

    @Option(names = "--interval-ms", description = "Pause between orders (default: ${DEFAULT-VALUE}).")
    long intervalMillis = 500;

    /** Runs the sample. */
    public static void main(String[] args) {
        System.exit(CommandLines.configure(new CommandLine(new ChronicleOrderPublisher())).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        BusContext context = new BusContext();
        if (directory != null) {
            context.directory(directory);
        }
        ChronicleOrder order = new ChronicleOrder();
        IdleStrategy idle = new BackoffIdleStrategy();
        try (Bus bus = Bus.open(context);
             Publisher publisher = bus.newPublisher(topic);
             ChronicleClaim claim = new ChronicleClaim(publisher)) {     // once: re-pointed at every claim
            for (int i = 1; i <= count; i++) {
                long position;
                while ((position = claim.tryClaim(ChronicleOrder.LENGTH)) < 0) {
                    if (position == Result.CLOSED) {
                        throw new IllegalStateException("the publisher was closed");
                    }
                    idle.idle();                                           // BACK_PRESSURED: a subscriber is behind
                }
                idle.reset();
                order.set(i, 1_000 + i % 7, 99.5 + i / 4.0, 10 * i, i % 2 == 1);
                order.writeMarshallable(claim.bytes());                    // straight into the ring
                claim.commit();
                System.out.println("published " + order + " at position " + position);
                Thread.sleep(intervalMillis);
            }
        }
        return 0;
    }
}
