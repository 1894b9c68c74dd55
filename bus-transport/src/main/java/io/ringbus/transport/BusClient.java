package io.ringbus.transport;

import io.ringbus.core.Publisher;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;

/**
 * A way into a bus, whatever the path: the shared-memory bus itself, or a bridge reached over a pipe,
 * FIFO, Unix or TCP socket. Publishers and subscribers it makes keep the contract of
 * {@link Publisher} and {@link Subscriber} on every path; {@link BusClients#open} picks the path from
 * a URI.
 *
 * <p><b>Stream paths.</b> Each publisher or subscriber has its own connection to the bridge, which
 * publishes into (or subscribes to) the topic's ring for it, so order, back-pressure and the
 * slow-consumer policy are the ring's. A connection that breaks makes {@code offer} return
 * {@link io.ringbus.core.Result#NOT_CONNECTED} and {@code poll} deliver nothing; the endpoint
 * reconnects on its next call once the bridge is back, and says so through the
 * {@link ConnectionListener}. A {@code position} returned by a stream publisher counts the bytes this
 * publisher has framed so far; it orders that publisher's messages but is not a ring position.
 *
 * <p>Thread-safe; closing it closes everything it made.
 */
public interface BusClient extends AutoCloseable {
    /** A publisher on {@code topic}, which is created with {@code config} if it does not exist. */
    Publisher newPublisher(String topic, TopicConfig config);

    /** A subscriber on {@code topic}, which is created with {@code topicConfig} if it does not exist. */
    Subscriber newSubscriber(String topic, TopicConfig topicConfig, SubscriberConfig config);

    /** The path this client uses. */
    TransportUri uri();

    /** Closes every publisher and subscriber made here. Idempotent. */
    @Override
    void close();
}
