package io.ringbus.transport.gateway;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What one exporter or importer has done, read by the gateway's periodic log line from another thread. The
 * counters are written by the route's own thread only (a lazy set each: no contention, no fence on the hot
 * path beyond a release store).
 */
final class RouteStats {
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong losses = new AtomicLong();
    private final AtomicLong lostBytes = new AtomicLong();
    private final AtomicLong repeats = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    void messages(int count, long length) {
        messages.lazySet(messages.get() + count);
        bytes.lazySet(bytes.get() + length);
    }

    void loss(long missedBytes) {
        losses.lazySet(losses.get() + 1);
        lostBytes.lazySet(lostBytes.get() + missedBytes);
    }

    void countRepeat() {
        repeats.lazySet(repeats.get() + 1);
    }

    void drop() {
        dropped.lazySet(dropped.get() + 1);
    }

    /** Messages sent (exporter) or published into the local topic (importer). */
    long messages() {
        return messages.get();
    }

    /** Payload bytes of those messages. */
    long bytes() {
        return bytes.get();
    }

    /** Loss notices: evictions (exporter), gaps in the positions received (importer). */
    long losses() {
        return losses.get();
    }

    /** Source ring bytes those losses covered. */
    long lostBytes() {
        return lostBytes.get();
    }

    /** Messages received again after an exporter restart and dropped (importer). */
    long repeats() {
        return repeats.get();
    }

    /** Aeron messages dropped: not a gateway header, or longer than the local topic takes (importer). */
    long dropped() {
        return dropped.get();
    }
}
