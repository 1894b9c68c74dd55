package io.ringbus.core.process;

import io.ringbus.core.ring.CursorDescriptor;
import io.ringbus.core.ring.internal.Memory;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.topic.SubscriberSlotDescriptor;
import io.ringbus.core.topic.TopicDescriptor;
import io.ringbus.core.topic.TopicFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * The test's own read-only view of a topic file that child processes use: the tail, subscriber
 * slots (state, position, owner pid) and the parked count, read from shared memory. It takes no
 * slot and holds no lock, so it changes nothing the children do.
 */
final class TopicProbe implements AutoCloseable {
    private final TopicFile topic;
    private final Ring ring;

    private TopicProbe(TopicFile topic) {
        this.topic = topic;
        this.ring = topic.ring();
    }

    /** Maps the topic file at {@code path}, which must exist. */
    static TopicProbe open(Path path) {
        TopicFile topic = TopicFile.tryOpen(path, 0600);
        if (topic == null) {
            throw new IllegalStateException("no topic file at " + path);
        }
        return new TopicProbe(topic);
    }

    long tail() {
        return ring.tail();
    }

    int capacity() {
        return ring.capacity();
    }

    /** The subscriber slot owned by process {@code pid}, or -1. */
    int slotOfPid(long pid) {
        MemorySegment segment = ring.segment();
        for (int i = 0; i < ring.maxCursors(); i++) {
            long slot = RingDescriptor.cursorOffset(i);
            int state = Memory.getIntVolatile(segment, slot + CursorDescriptor.STATE_OFFSET);
            if (state != CursorDescriptor.FREE
                && segment.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.PID_OFFSET) == (int) pid) {
                return i;
            }
        }
        return -1;
    }

    /** State of subscriber slot {@code index}: FREE 0, JOINING 1, ACTIVE 2, EVICTED 3. */
    int slotState(int index) {
        return Memory.getIntVolatile(ring.segment(),
            RingDescriptor.cursorOffset(index) + CursorDescriptor.STATE_OFFSET);
    }

    /** Position of subscriber slot {@code index}. */
    long slotPosition(int index) {
        return Memory.getLongVolatile(ring.segment(),
            RingDescriptor.cursorOffset(index) + CursorDescriptor.POSITION_OFFSET);
    }

    /** Subscriber slots in state ACTIVE. */
    int activeSubscribers() {
        return ring.activeCursors();
    }

    /** Subscribers parked or about to park, as publishers see it. */
    int parkedCount() {
        return Memory.getIntVolatile(topic.segment(), TopicDescriptor.PARKED_COUNT_OFFSET);
    }

    @Override
    public void close() {
        topic.close();
    }
}
