package io.ringbus.examples;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.examples.support.CommandLines;
import io.ringbus.examples.support.ExitCodes;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The smallest subscriber: prints every message of topic {@code basic} until Ctrl-C. It waits
 * blocked on a futex (no CPU) between messages; publishers wake it. With {@code --name} it is durable
 * and commits explicitly: it prints a batch, flushes it, and only then commits, so that a successor
 * of the name (after Ctrl-C, or a kill -9 at any moment) resumes after what was printed, repeating at
 * most the last batch.
 *
 * <pre>
 *   terminal 1: ./bus sample basic-subscriber
 *   terminal 2: ./bus sample basic-publisher
 * </pre>
 */
@Command(name = "basic-subscriber", aliases = "BasicSubscriber",
    mixinStandardHelpOptions = true,
    description = "Prints every message of a topic until Ctrl-C.",
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.FAILURE, ExitCodes.USAGE,
        ExitCodes.SIGNALS + ": how it ends, after closing its subscriber"},
    footer = {"", "Examples:", "  ./bus sample basic-subscriber --topic basic",
        "  ./bus sample basic-subscriber --name audit   # durable: resumes after the last message printed"})
public final class BasicSubscriber implements Callable<Integer> {
    @Option(names = "--dir", description = "Bus directory (default: /dev/shm/ringbus-$USER/default).")
    Path directory;

    @Option(names = "--topic", description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic = "basic";

    @Option(names = "--name", description = "Durable name: print, flush, then commit each batch (up to 10 messages).")
    String name;

    private volatile boolean running = true;
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Runs the sample. */
    public static void main(String[] args) {
        System.exit(CommandLines.configure(new CommandLine(new BasicSubscriber())).execute(args));
    }

    @Override
    public Integer call() {
        BusContext context = new BusContext();
        if (directory != null) {
            context.directory(directory);
        }
        // The handler sees the payload in the ring itself (zero-copy), valid until it returns.
        MessageHandler printer = (typeId, buffer, offset, length) -> System.out.println("received '"
            + new String(buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8) + "'");
        SubscriberConfig config = new SubscriberConfig();            // from the latest message on, blocking wakeup
        if (name != null) {
            config.durableName(name).explicitCommit(true);          // consumed = printed, not polled
        }
        try (Bus bus = Bus.open(context)) {                         // closing the bus closes its subscribers
            Subscriber subscriber = bus.newSubscriber(topic, new TopicConfig(), config);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                running = false;                                     // the loop ends within 0.2 s...
                try {
                    stopped.await(2, TimeUnit.SECONDS);              // ...after its last commit
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }));
            System.out.println("subscribed to '" + topic + "' in " + bus.context().directory() + "; Ctrl-C to stop");
            while (running) {
                if (subscriber.await(printer, 10, 200_000_000L) > 0) { // up to 10 messages, or 0.2 s of nothing
                    System.out.flush();
                    subscriber.commit();                             // only now (does nothing without --name)
                }
            }
        } finally {
            stopped.countDown();
        }
        return 0;
    }
}
