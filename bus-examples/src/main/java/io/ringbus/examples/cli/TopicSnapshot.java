package io.ringbus.examples.cli;

import io.ringbus.core.os.MappedFile;
import io.ringbus.core.ring.CursorDescriptor;
import io.ringbus.core.ring.internal.Memory;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.topic.PublisherSlotDescriptor;
import io.ringbus.core.topic.SubscriberSlotDescriptor;
import io.ringbus.core.topic.TopicDescriptor;
import io.ringbus.core.topic.TopicFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a topic file holds, read without joining the topic: its shape, its tail, and every taken
 * publisher and subscriber slot with its owner's liveness. A slot's owner is alive exactly when the
 * slot's lock byte is held (the kernel drops the lock when the owner dies); pids are for display.
 *
 * <p>Every value comes from shared memory that any process of the owner could scribble: lengths are
 * clamped before use, so a damaged slot shows odd values but cannot make the reader fail.
 */
record TopicSnapshot(
    String name,
    TopicFile.Shape shape,
    long tail,
    long creatorPid,
    long createdMillis,
    List<PublisherSlot> publishers,
    List<SubscriberSlot> subscribers,
    boolean anyLockHeld) {

    /** A taken publisher slot (state ACTIVE). */
    record PublisherSlot(int slot, int pid, boolean alive) {
    }

    /**
     * A taken subscriber slot (cursor JOINING, ACTIVE or EVICTED). {@code parked}: waiting on its futex
     * word, which only a live owner can be (a dead one's word may still be set until {@code bus clean}).
     */
    record SubscriberSlot(int slot, int pid, boolean alive, String durableName, long position, long lag,
        boolean parked, boolean evicted, boolean evictable, boolean joining) {

        boolean durable() {
            return durableName != null;
        }
    }

    /** Reads the topic's header and slots. */
    static TopicSnapshot of(TopicFile topic) {
        MappedFile file = topic.file();
        MemorySegment header = topic.segment();
        Ring ring = topic.ring();
        long tail = ring.tail();
        boolean anyLockHeld = false;

        List<PublisherSlot> publishers = new ArrayList<>();
        for (int i = 0; i < topic.publisherSlots(); i++) {
            long slot = TopicDescriptor.publisherSlotOffset(i);
            boolean alive = file.isLockHeld(TopicDescriptor.publisherLockByte(i));
            anyLockHeld |= alive;
            int state = Memory.getIntVolatile(header, slot + PublisherSlotDescriptor.STATE_OFFSET);
            if (state == PublisherSlotDescriptor.ACTIVE) {
                int pid = header.get(ValueLayout.JAVA_INT, slot + PublisherSlotDescriptor.PID_OFFSET);
                publishers.add(new PublisherSlot(i, pid, alive));
            }
        }

        MemorySegment ringSegment = ring.segment();
        List<SubscriberSlot> subscribers = new ArrayList<>();
        for (int i = 0; i < ring.maxCursors(); i++) {
            long slot = RingDescriptor.cursorOffset(i);
            boolean alive = file.isLockHeld(TopicDescriptor.subscriberLockByte(i));
            anyLockHeld |= alive;
            int state = Memory.getIntVolatile(ringSegment, slot + CursorDescriptor.STATE_OFFSET);
            if (state == CursorDescriptor.FREE) {
                continue;
            }
            int pid = ringSegment.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.PID_OFFSET);
            int flags = ringSegment.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.FLAGS_OFFSET);
            long position = Memory.getLongVolatile(ringSegment, slot + CursorDescriptor.POSITION_OFFSET);
            // A process killed while parked leaves its parked word set; a dead subscriber is not waiting.
            boolean parked = alive
                && ringSegment.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.PARKED_OFFSET) != 0;
            String durableName = (flags & SubscriberSlotDescriptor.FLAG_DURABLE) != 0
                ? durableName(ringSegment, slot) : null;
            // The tail was read first: a subscriber that moved since may be past it, which is lag 0.
            long lag = Math.max(0, tail - position);
            subscribers.add(new SubscriberSlot(i, pid, alive, durableName, position, lag, parked,
                state == SubscriberSlotDescriptor.EVICTED, (flags & SubscriberSlotDescriptor.FLAG_EVICTABLE) != 0,
                state == CursorDescriptor.JOINING));
        }
        anyLockHeld |= file.isLockHeld(TopicDescriptor.SWEEP_LOCK_BYTE);
        long creatorPid = header.get(ValueLayout.JAVA_LONG, TopicDescriptor.CREATOR_PID_OFFSET);
        long createdMillis = header.get(ValueLayout.JAVA_LONG, TopicDescriptor.CREATED_MILLIS_OFFSET);
        return new TopicSnapshot(topic.name(), topic.shape(), tail, creatorPid, createdMillis,
            List.copyOf(publishers), List.copyOf(subscribers), anyLockHeld);
    }

    private static String durableName(MemorySegment ring, long slot) {
        int length = ring.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.NAME_LENGTH_OFFSET);
        length = Math.max(0, Math.min(length, SubscriberSlotDescriptor.MAX_NAME_BYTES));
        byte[] bytes = new byte[length];
        MemorySegment.copy(ring, ValueLayout.JAVA_BYTE, slot + SubscriberSlotDescriptor.NAME_OFFSET, bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Subscriber slots whose owner is dead. */
    List<SubscriberSlot> deadSubscribers() {
        return subscribers.stream().filter(s -> !s.alive()).toList();
    }
}
