package io.ringbus.examples;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.examples.support.CommandLines;
import io.ringbus.examples.support.ExitCodes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The smallest publisher: "hello 1", "hello 2", ... to topic {@code basic}, one a second. Run
 * {@link BasicSubscriber} in another terminal to see them.
 *
 * <pre>
 *   terminal 1: ./bus sample basic-subscriber
 *   terminal 2: ./bus sample basic-publisher
 * </pre>
 */
@Command(name = "basic-publisher", aliases = "BasicPublisher",
    mixinStandardHelpOptions = true,
    description = "Publishes 'hello 1', 'hello 2', ... to a topic, one a second.",
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.OK + ":--count messages published", ExitCodes.FAILURE, ExitCodes.USAGE,
        ExitCodes.SIGNALS},
    footer = {"", "Example: ./bus sample basic-publisher --count 5 --interval-ms 200"})
public final class BasicPublisher implements Callable<Integer> {
    @Option(names = "--dir", description = "Bus directory (default: /dev/shm/ringbus-$USER/default).")
    Path directory;

    @Option(names = "--topic", description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic = "basic";

    @Option(names = "--count", description = "Messages to publish (default: ${DEFAULT-VALUE}).")
    int count = 10;

    @Option(names = "--interval-ms", description = "Pause between messages (default: ${DEFAULT-VALUE}).")
    long intervalMillis = 1000;

    /** Runs the sample. */
    public static void main(String[] args) {
        System.exit(CommandLines.configure(new CommandLine(new BasicPublisher())).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        BusContext context = new BusContext();
        if (directory != null) {
            context.directory(directory);
        }
        try (Bus bus = Bus.open(context);
             Publisher publisher = bus.newPublisher(topic)) {      // creates the topic if it does not exist
            for (int i = 1; i <= count; i++) {
                String message = "hello " + i;
                long result = publisher.offer(message.getBytes(StandardCharsets.UTF_8));
                if (result >= 0) {
                    System.out.println("offered '" + message + "' at position " + result);
                } else {
                    // BACK_PRESSURED: a subscriber is a whole ring behind. Nothing was written; a real
                    // publisher would retry after an idle step (see PubCommand), this one moves on.
                    System.out.println("not offered '" + message + "': " + Result.describe(result));
                }
                Thread.sleep(intervalMillis);
            }
        }
        return 0;
    }
}
