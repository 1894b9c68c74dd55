package io.ringbus.transport.stream;

import io.ringbus.transport.TransportException;
import io.ringbus.transport.TransportUri;

/**
 * What the rendezvous connectors (FIFO, message queue) tell a client that cannot connect, worded once:
 * no bridge serves the path, or the bridge did not answer in time; and the time left of a connect's
 * timeout.
 */
final class ConnectFailures {
    private ConnectFailures() {
    }

    /** No bridge serves {@code uri}, for the reason {@code why}: start one. */
    static TransportException noBridge(TransportUri uri, String why) {
        return new TransportException("No bridge serves " + uri + " (" + why + "). Start one: ./bus daemon --listen "
            + uri);
    }

    /** The bridge at {@code uri} did not do {@code what} in time. */
    static TransportException timedOut(TransportUri uri, String what) {
        return new TransportException("The bridge serving " + uri + " did not answer in time: " + what + ". It may be"
            + " stopped (SIGSTOP) or overloaded: check its process, or connect with a longer timeout.");
    }

    /** Nanoseconds left of {@code timeoutNanos} since {@code start}; {@code Long.MAX_VALUE} waits for ever. */
    static long remaining(long start, long timeoutNanos) {
        if (timeoutNanos == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, timeoutNanos - (System.nanoTime() - start));
    }
}
