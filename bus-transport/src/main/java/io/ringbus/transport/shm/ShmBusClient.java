package io.ringbus.transport.shm;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.TransportUri;

/** The {@code shm:} path: the mapped-file bus itself, no bridge in between. */
public final class ShmBusClient implements BusClient {
    private final Bus bus;
    private final TransportUri uri;

    /** A client over an open bus; closing the client closes the bus. */
    public ShmBusClient(Bus bus, TransportUri uri) {
        this.bus = bus;
        this.uri = uri;
    }

    @Override
    public Publisher newPublisher(String topic, TopicConfig config) {
        return bus.newPublisher(topic, config);
    }

    @Override
    public Subscriber newSubscriber(String topic, TopicConfig topicConfig, SubscriberConfig config) {
        return bus.newSubscriber(topic, topicConfig, config);
    }

    @Override
    public TransportUri uri() {
        return uri;
    }

    /** The bus underneath. */
    public Bus bus() {
        return bus;
    }

    @Override
    public void close() {
        bus.close();
    }
}
