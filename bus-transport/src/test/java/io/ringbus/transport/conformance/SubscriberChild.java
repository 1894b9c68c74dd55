package io.ringbus.transport.conformance;

import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.BusClients;
import io.ringbus.transport.TransportContext;
import java.time.Duration;

/**
 * A subscriber in a process of its own, for tests that kill it: connects to URI, subscribes to TOPIC,
 * prints {@code READY} and polls until killed. Arguments: URI TOPIC.
 */
public final class SubscriberChild {
    private SubscriberChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        BusClient client = BusClients.open(new TransportContext().uri(args[0]).connectTimeout(Duration.ofSeconds(10)));
        Subscriber subscriber = client.newSubscriber(args[1], new TopicConfig(), new SubscriberConfig());
        System.out.println("READY");
        System.out.flush();
        while (true) {
            if (subscriber.poll((type, buffer, offset, length) -> { }, 16) == 0) {
                Thread.sleep(1);
            }
        }
    }
}
