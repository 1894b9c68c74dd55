package io.ringbus.transport.client;

import io.ringbus.core.Publisher;
import io.ringbus.core.SlowConsumerPolicy;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.TransportContext;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.frame.Hello;
import io.ringbus.transport.stream.StreamConnector;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** A {@link BusClient} over a stream path: one connection to the bridge per publisher or subscriber. */
public final class StreamBusClient implements BusClient {
    private final TransportContext context;
    private final StreamConnector connector;
    private final Set<AutoCloseable> endpoints = new LinkedHashSet<>();
    private boolean closed;

    /** A client connecting through {@code connector}. */
    public StreamBusClient(TransportContext context, StreamConnector connector) {
        this.context = context.conclude();
        this.connector = connector;
    }

    @Override
    public Publisher newPublisher(String topic, TopicConfig config) {
        Hello hello = new Hello(Hello.Role.PUB, topic, config.requirements());
        AutoCloseable[] self = new AutoCloseable[1];
        StreamPublisher publisher = new StreamPublisher(connection(hello), context.batching(),
            () -> forget(self[0]));
        self[0] = publisher;
        return register(publisher);
    }

    @Override
    public Subscriber newSubscriber(String topic, TopicConfig topicConfig, SubscriberConfig config) {
        config.conclude();
        Hello hello = new Hello(Hello.Role.SUB, topic, subscriberProperties(topicConfig, config));
        AutoCloseable[] self = new AutoCloseable[1];
        StreamSubscriber subscriber = new StreamSubscriber(connection(hello), config, () -> forget(self[0]));
        self[0] = subscriber;
        return register(subscriber);
    }

    /** The hello options a subscriber config turns into (the bridge's subscriber gets the same). */
    static Map<String, String> subscriberProperties(TopicConfig topicConfig, SubscriberConfig config) {
        Map<String, String> properties = new LinkedHashMap<>(topicConfig.requirements());
        properties.put("start", config.start().name().toLowerCase(Locale.ROOT));
        if (config.durableName() != null) {
            properties.put("durable", config.durableName());
        }
        if (config.explicitCommit()) {
            properties.put("commit", "explicit");
        }
        if (config.slowConsumerPolicy() == SlowConsumerPolicy.EVICT) {
            properties.put("policy", "evict");
            properties.put("evictAfterMs", Long.toString(config.evictAfter().toMillis()));
        }
        return properties;
    }

    private StreamConnection connection(Hello hello) {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("client is closed");
            }
        }
        return new StreamConnection(connector, hello, context.authToken(), context.connectionListener(),
            context.connectTimeout().toNanos(), context.reconnectInterval().toNanos());
    }

    private synchronized <T extends AutoCloseable> T register(T endpoint) {
        endpoints.add(endpoint);
        return endpoint;
    }

    private synchronized void forget(AutoCloseable endpoint) {
        endpoints.remove(endpoint);
    }

    @Override
    public TransportUri uri() {
        return connector.uri();
    }

    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = List.copyOf(endpoints);
        }
        for (AutoCloseable endpoint : toClose) {
            try {
                endpoint.close();
            } catch (Exception ignored) {
                // Best effort: the bridge notices the closed connection anyway.
            }
        }
    }
}
