package io.ringbus.examples.cli;

import io.ringbus.core.Publisher;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.BusClients;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A ringbus-aware child for the {@code bus run} tests: publishes its arguments after the first (the
 * topic) over {@code pipe:}, that is, as frames on its standard output, then exits 0.
 */
public final class PipePublisherMain {
    private PipePublisherMain() {
    }

    /** {@code TOPIC MESSAGE...}. */
    public static void main(String[] args) throws InterruptedException {
        try (BusClient client = BusClients.open("pipe:")) {
            Publisher publisher = client.newPublisher(args[0], new TopicConfig());
            System.out.println("a stray line on standard output, which goes to standard error now");
            for (String message : Arrays.asList(args).subList(1, args.length)) {
                byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
                while (publisher.offer(bytes) < 0) {
                    Thread.sleep(1);
                }
            }
        }
    }
}
