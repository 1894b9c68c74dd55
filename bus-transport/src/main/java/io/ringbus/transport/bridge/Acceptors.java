package io.ringbus.transport.bridge;

import io.ringbus.transport.TransportUri;
import io.ringbus.transport.stream.FifoAcceptor;
import io.ringbus.transport.stream.MqAcceptor;
import io.ringbus.transport.stream.StreamAcceptor;
import java.util.function.Consumer;

/** Makes the acceptor of each listening path. */
final class Acceptors {
    private Acceptors() {
    }

    static StreamAcceptor fifo(TransportUri uri, Consumer<String> log) {
        return new FifoAcceptor(uri);
    }

    static StreamAcceptor mq(TransportUri uri, Consumer<String> log) {
        return new MqAcceptor(uri, log);
    }
}
