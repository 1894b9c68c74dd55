package io.ringbus.transport.bridge;

import io.ringbus.transport.TransportException;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.stream.StreamAcceptor;
import java.util.function.Consumer;

/** Makes the acceptor of each listening path. */
final class Acceptors {
    private Acceptors() {
    }

    static StreamAcceptor fifo(TransportUri uri, Consumer<String> log) {
        throw new TransportException("fifo: listening is not available in this build: " + uri);
    }
}
