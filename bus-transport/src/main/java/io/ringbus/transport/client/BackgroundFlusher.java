package io.ringbus.transport.client;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes out what stream publishers left buffered when the stream's window was full, so that a
 * message accepted by {@code offer} reaches the bridge even if its publisher is never called again.
 * One daemon thread per process, parked while no publisher has bytes waiting.
 */
final class BackgroundFlusher {
    private static final long ROUND_PAUSE_NANOS = 100_000L;
    private static final BackgroundFlusher INSTANCE = new BackgroundFlusher();

    private final Set<StreamPublisher> waiting = ConcurrentHashMap.newKeySet();
    private final Thread thread;

    private BackgroundFlusher() {
        thread = Thread.ofPlatform().daemon().name("ringbus-stream-flusher").unstarted(this::run);
        thread.start();
    }

    /**
     * Asks for {@code publisher}'s buffered bytes to be written soon. Called, like {@link #done}, under
     * the publisher's lock, so a schedule is never lost to a concurrent removal.
     */
    static void schedule(StreamPublisher publisher) {
        if (INSTANCE.waiting.add(publisher)) {
            LockSupport.unpark(INSTANCE.thread);
        }
    }

    /** {@code publisher} has nothing left for this thread; called under its lock. */
    static void done(StreamPublisher publisher) {
        INSTANCE.waiting.remove(publisher);
    }

    private void run() {
        while (true) {
            if (waiting.isEmpty()) {
                LockSupport.park(this);
                continue;
            }
            for (StreamPublisher publisher : waiting) {
                publisher.flushFromBackground();
            }
            LockSupport.parkNanos(this, ROUND_PAUSE_NANOS);
        }
    }
}
