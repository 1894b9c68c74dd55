package io.ringbus.core.topic;

import io.ringbus.core.RingBusException;
import io.ringbus.core.SlotsExhaustedException;
import io.ringbus.core.SlowConsumerPolicy;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.os.Processes;
import io.ringbus.core.ring.CursorDescriptor;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.ring.internal.Memory;
import io.ringbus.core.ring.internal.RingSlots;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * How a subscriber takes its cursor slot of a topic: a free slot and its lock, or, for a durable
 * name, the slot that name already holds (resumed) under the topic's sweep lock; and the bus layer's
 * fields it then writes into the slot ({@link SubscriberSlotDescriptor}). The lock each slot carries
 * is released by the kernel when its process dies, which is how others tell a dead subscriber.
 */
final class SubscriberSlots {
    private SubscriberSlots() {
    }

    /** The slot taken and whether it is a durable name's own, to be resumed. */
    record Choice(int index, boolean resume) {
    }

    /** Takes the slot {@code config} asks for: its durable name's own, or a free one. */
    static Choice choose(TopicFile topic, SubscriberConfig config) {
        return config.durableName() != null ? durableSlot(topic, config.durableName())
            : new Choice(freeSlot(topic), false);
    }

    /**
     * Takes a free slot and its lock. A free slot whose lock is still held (its previous owner sets
     * it FREE, then unlocks) is kept JOINING while another is taken, so that the scan moves past it,
     * and given back FREE afterwards: no slot is ever left JOINING without an owner.
     */
    static int freeSlot(TopicFile topic) {
        Ring ring = topic.ring();
        MemorySegment ringSegment = ring.segment();
        List<Integer> stillLocked = new ArrayList<>();
        try {
            for (int attempt = 0; attempt < 2; attempt++) {
                try {
                    while (true) {
                        int index = RingSlots.takeFreeSlot(ring);
                        if (topic.file().tryLockByte(TopicDescriptor.subscriberLockByte(index))) {
                            return index;
                        }
                        stillLocked.add(index);
                    }
                } catch (RingBusException full) {
                    if (attempt > 0 || SlotSweeper.sweep(topic, false) == 0) {
                        int slots = ring.maxCursors();
                        throw new SlotsExhaustedException(topic.name(), false, slots, "Topic '" + topic.name()
                            + "' has all " + slots + " subscriber slots held by live subscribers. Close a subscriber"
                            + " that is done, or create the topic with more (TopicConfig.maxSubscribers; through a"
                            + " bridge, the hello option maxSubscribers=N of the first client).", full);
                    }
                }
            }
            throw new IllegalStateException("unreachable");
        } finally {
            for (int index : stillLocked) {
                Memory.casInt(ringSegment, RingDescriptor.cursorOffset(index) + CursorDescriptor.STATE_OFFSET,
                    CursorDescriptor.JOINING, CursorDescriptor.FREE);
            }
        }
    }

    /** The slot of this durable name, resumed, or a new one; under the topic's sweep lock. */
    private static Choice durableSlot(TopicFile topic, String durableName) {
        Ring ring = topic.ring();
        MemorySegment ringSegment = ring.segment();
        byte[] name = durableName.getBytes(StandardCharsets.UTF_8);
        long sweepLock = TopicDescriptor.SWEEP_LOCK_BYTE;
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!topic.file().tryLockByte(sweepLock)) {
            if (System.nanoTime() > deadline) {
                throw new RingBusException("Timed out waiting for another process to finish opening a durable"
                    + " subscriber of topic '" + topic.name() + "'.");
            }
            LockSupport.parkNanos(1_000_000);
        }
        try {
            int highMark = Math.min(ring.maxCursors(),
                Memory.getIntVolatile(ringSegment, RingDescriptor.CURSOR_HIGH_MARK_OFFSET));
            for (int i = 0; i < highMark; i++) {
                long slot = RingDescriptor.cursorOffset(i);
                int state = Memory.getIntVolatile(ringSegment, slot + CursorDescriptor.STATE_OFFSET);
                if ((state != CursorDescriptor.ACTIVE && state != SubscriberSlotDescriptor.EVICTED)
                    || !hasName(ringSegment, slot, name)) {
                    continue;
                }
                if (!topic.file().tryLockByte(TopicDescriptor.subscriberLockByte(i))) {
                    int pid = ringSegment.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.PID_OFFSET);
                    throw new RingBusException("Durable subscriber '" + durableName + "' of topic '"
                        + topic.name() + "' is already open (pid " + pid + "). Close it first, or use another name.");
                }
                return new Choice(i, true);
            }
            return new Choice(freeSlot(topic), false);
        } finally {
            topic.file().unlockByte(sweepLock);
        }
    }

    private static boolean hasName(MemorySegment ringSegment, long slot, byte[] name) {
        int flags = ringSegment.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.FLAGS_OFFSET);
        int length = ringSegment.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.NAME_LENGTH_OFFSET);
        if ((flags & SubscriberSlotDescriptor.FLAG_DURABLE) == 0 || length != name.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (ringSegment.get(ValueLayout.JAVA_BYTE, slot + SubscriberSlotDescriptor.NAME_OFFSET + i) != name[i]) {
                return false;
            }
        }
        return true;
    }

    /** Writes the bus layer's fields of the slot at {@code slotOffset} (pid, flags, wake word, name...). */
    static void writeFields(MemorySegment ringSegment, long slotOffset, SubscriberConfig config) {
        boolean durable = config.durableName() != null;
        boolean evictable = config.slowConsumerPolicy() == SlowConsumerPolicy.EVICT;
        long pid = Processes.currentPid();
        int flags = (durable ? SubscriberSlotDescriptor.FLAG_DURABLE : 0)
            | (evictable ? SubscriberSlotDescriptor.FLAG_EVICTABLE : 0)
            | (config.wakeup() == WakeupMode.SIGNAL ? SubscriberSlotDescriptor.FLAG_SIGNAL : 0);
        ringSegment.set(ValueLayout.JAVA_INT, slotOffset + SubscriberSlotDescriptor.PID_OFFSET, (int) pid);
        ringSegment.set(ValueLayout.JAVA_LONG, slotOffset + SubscriberSlotDescriptor.START_TIME_OFFSET,
            Processes.startTime(pid).orElse(0));
        ringSegment.set(ValueLayout.JAVA_INT, slotOffset + SubscriberSlotDescriptor.WAKE_WORD_OFFSET, 0);
        ringSegment.set(ValueLayout.JAVA_INT, slotOffset + SubscriberSlotDescriptor.SIGNAL_OFFSET,
            config.wakeup() == WakeupMode.SIGNAL ? SignalWakeups.install(config.signal()) : 0);
        ringSegment.set(ValueLayout.JAVA_LONG, slotOffset + SubscriberSlotDescriptor.EVICT_AFTER_OFFSET,
            config.evictAfter().toMillis());
        ringSegment.set(ValueLayout.JAVA_LONG, slotOffset + SubscriberSlotDescriptor.STALL_SINCE_OFFSET, 0L);
        if (durable) {
            byte[] name = config.durableName().getBytes(StandardCharsets.UTF_8);
            ringSegment.set(ValueLayout.JAVA_INT, slotOffset + SubscriberSlotDescriptor.NAME_LENGTH_OFFSET,
                name.length);
            MemorySegment.copy(name, 0, ringSegment, ValueLayout.JAVA_BYTE,
                slotOffset + SubscriberSlotDescriptor.NAME_OFFSET, name.length);
        } else {
            ringSegment.set(ValueLayout.JAVA_INT, slotOffset + SubscriberSlotDescriptor.NAME_LENGTH_OFFSET, 0);
        }
        Memory.setIntVolatile(ringSegment, slotOffset + SubscriberSlotDescriptor.FLAGS_OFFSET, flags);
    }
}
