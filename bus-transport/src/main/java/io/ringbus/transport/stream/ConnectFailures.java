package io.ringbus.transport.stream;

import io.ringbus.core.os.LockFile;
import io.ringbus.core.os.Processes;
import io.ringbus.transport.TransportException;
import io.ringbus.transport.TransportUri;

import java.nio.file.Path;

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

    /** How often a connector waiting for the bridge's answer looks whether the bridge is still alive. */
    static final long BRIDGE_CHECK_NANOS = 100_000_000L;

    /**
     * The pid in the lock file of the bridge serving the path (written by the bridge that took the lock),
     * read before the request and watched while its answer is awaited; -1 (nothing to watch) when there is
     * none or no such process is seen here (a bridge in another PID namespace, or a dead one's file).
     */
    static long bridgePid(Path lockFile) {
        long pid = LockFile.holderPid(lockFile);
        return pid > 0 && Processes.exists(pid) ? pid : -1;
    }

    /**
     * Throws when the bridge with {@code pid} (from {@link #bridgePid}) is gone: it died after it took the
     * request, and no answer will come (waiting out the timeout, then blaming a slow bridge, would mislead).
     */
    static void checkBridgeAlive(TransportUri uri, long pid) {
        if (pid > 0 && !Processes.exists(pid)) {
            throw new TransportException("The bridge serving " + uri + " (pid " + pid + ") died before it accepted the"
                + " connection. Run the command again once a bridge serves it (./bus daemon --listen " + uri + ").");
        }
    }

    /** Nanoseconds left of {@code timeoutNanos} since {@code start}; {@code Long.MAX_VALUE} waits for ever. */
    static long remaining(long start, long timeoutNanos) {
        if (timeoutNanos == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, timeoutNanos - (System.nanoTime() - start));
    }
}
