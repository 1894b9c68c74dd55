package io.ringbus.transport.stream;

import io.ringbus.transport.TransportUri;

/** Client side of a stream path: opens a fresh stream to a bridge, one per endpoint. */
public interface StreamConnector {
    /**
     * Connects, waiting at most {@code timeoutNanos}.
     *
     * @throws io.ringbus.transport.TransportException naming the URI and what to do (no bridge there,
     *     permission denied, timed out)
     */
    ByteStream connect(long timeoutNanos);

    /** The path connected to. */
    TransportUri uri();
}
