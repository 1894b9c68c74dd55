package io.ringbus.core.topic;

import io.ringbus.core.os.CurrentCpu;
import io.ringbus.core.os.Futex;
import io.ringbus.core.os.Processes;
import io.ringbus.core.ring.internal.Memory;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The publisher's side of the wakeup protocol: for each parked subscriber, post its semaphore
 * (0 to 1; a post that finds 1 is already pending and makes no system call) and wake it with a
 * futex wake, or a signal for signal-mode subscribers. Each post is stamped with its time
 * ({@link SubscriberSlotDescriptor#POST_TIME_OFFSET}) and the processor it was made on
 * ({@link SubscriberSlotDescriptor#POST_CPU_OFFSET}).
 */
final class Wakeups {
    private Wakeups() {
    }

    static void wakeParked(TopicFile topic) {
        Ring ring = topic.ring();
        MemorySegment segment = ring.segment();
        int highMark = Math.min(ring.maxCursors(),
            Memory.getIntVolatile(segment, RingDescriptor.CURSOR_HIGH_MARK_OFFSET));
        for (int i = 0; i < highMark; i++) {
            long slot = RingDescriptor.cursorOffset(i);
            if (WakeupProtocol.isParked(segment, slot) && postStamped(segment, slot)) {
                int flags = segment.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.FLAGS_OFFSET);
                if ((flags & SubscriberSlotDescriptor.FLAG_SIGNAL) != 0) {
                    int pid = segment.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.PID_OFFSET);
                    int signal = segment.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.SIGNAL_OFFSET);
                    Processes.signal(pid, signal);
                } else {
                    Futex.wake(segment, slot + SubscriberSlotDescriptor.WAKE_WORD_OFFSET, 1);
                }
            }
        }
    }

    /**
     * Posts with the post time and processor stamped first (plain stores the post's CAS publishes), so the
     * subscriber it wakes can measure what the wakeup cost ({@link SpinBudget}) and whether this publisher
     * shared its processor ({@link SharedCore}). A post that finds one pending still moves the stamps: the
     * subscriber then measures a little less than it waited, which is harmless.
     */
    private static boolean postStamped(MemorySegment segment, long slot) {
        segment.set(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.POST_CPU_OFFSET, CurrentCpu.id() + 1);
        segment.set(ValueLayout.JAVA_LONG, slot + SubscriberSlotDescriptor.POST_TIME_OFFSET, System.nanoTime());
        return WakeupProtocol.post(segment, slot);
    }
}
