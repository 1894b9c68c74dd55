package io.ringbus.examples;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Subscriber;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.examples.support.CommandLines;
import io.ringbus.examples.support.ExitCodes;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The smallest subscriber: prints every message of topic {@code basic} until Ctrl-C. It waits
 * blocked on a futex (no CPU) between messages; publishers wake it.
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
    footer = {"", "Example: ./bus sample basic-subscriber --topic basic"})
public final class BasicSubscriber implements Callable<Integer> {
    @Option(names = "--dir", description = "Bus directory (default: /dev/shm/ringbus-$USER/default).")
    Path directory;

    @Option(names = "--topic", description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic = "basic";

    private volatile boolean running = true;

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
        try (Bus bus = Bus.open(context)) {                         // closing the bus closes its subscribers
            Subscriber subscriber = bus.newSubscriber(topic);       // from the latest message on, blocking wakeup
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                running = false;
                subscriber.close();                                  // ends a waiting await at once
            }));
            System.out.println("subscribed to '" + topic + "' in " + bus.context().directory() + "; Ctrl-C to stop");
            while (running) {
                subscriber.await(printer, 10, 1_000_000_000L);       // up to 10 messages, or 1 s of nothing
            }
        }
        return 0;
    }
}
