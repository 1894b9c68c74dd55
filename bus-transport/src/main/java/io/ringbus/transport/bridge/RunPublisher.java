package io.ringbus.transport.bridge;

import io.ringbus.core.Publisher;
import io.ringbus.core.topic.ShmPublisher;
import java.lang.foreign.MemorySegment;

/**
 * A publishing session's offers, a run at a time: the frames of one read are offered without waking
 * parked subscribers, then {@link #endOfRun} wakes them once ({@link ShmPublisher#offerDeferringWake}).
 * A futex wake per frame took half of a publishing session's time. A publisher that is not a
 * shared-memory one (none today) offers as usual.
 */
final class RunPublisher {
    private final Publisher publisher;
    private final ShmPublisher shm;

    RunPublisher(Publisher publisher) {
        this.publisher = publisher;
        this.shm = publisher instanceof ShmPublisher own ? own : null;
    }

    /** Offers one message of the run, of the frame's type; the result as {@link Publisher#offer}'s. */
    long offer(int typeId, MemorySegment source, long offset, int length) {
        return shm != null ? shm.offerDeferringWake(typeId, source, offset, length)
            : publisher.offer(typeId, source, offset, length);
    }

    /** Wakes the subscribers parked during the run: due before the session waits for anything. */
    void endOfRun() {
        if (shm != null) {
            shm.wakeDeferred();
        }
    }
}
