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

    /** Asks for {@code publisher}'s buffered bytes to be written soon. */
    static void schedule(StreamPublisher publisher) {
        if (INSTANCE.waiting.add(publisher)) {
            LockSupport.unpark(INSTANCE.thread);
        }
    }

    private void run() {
        while (true) {
            if (waiting.isEmpty()) {
                LockSupport.park(this);
                continue;
            }
            for (StreamPublisher publisher : waiting) {
                if (publisher.flushFromBackground()) {
                    waiting.remove(publisher);
                }
            }
            LockSupport.parkNanos(this, ROUND_PAUSE_NANOS);
        }
    }
}
