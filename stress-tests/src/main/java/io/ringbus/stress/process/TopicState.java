package io.ringbus.stress.process;

import io.ringbus.core.RingBusException;
import io.ringbus.core.os.MappedFile;
import io.ringbus.core.os.SharedFiles;
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
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a topic looks like right now, in one line, as {@code bus stat} would show it: the tail and
 * the committed head, each taken publisher slot (pid, alive or dead) and each taken subscriber slot
 * (pid, alive or dead, durable name, state, position, lag behind the tail, parked). Read without
 * joining anything; for the report of a hang. A slot's owner is alive while its lock byte is held.
 */
final class TopicState {
    private TopicState() {
    }

    /** Topic {@code name} of {@code busDir}, described; or why it cannot be. */
    static String describe(Path busDir, String name) {
        Path path = TopicFile.pathOf(busDir, name);
        TopicFile topic;
        try {
            topic = TopicFile.tryOpen(path, SharedFiles.FILE_MODE);
        } catch (RingBusException | InternalError e) {
            return "topic " + name + ": cannot be read (" + e.getMessage() + ")";
        }
        if (topic == null) {
            return "topic " + name + ": no file";
        }
        try (topic) {
            return describe(topic);
        } catch (RuntimeException | InternalError e) {
            return "topic " + name + ": cannot be read (" + e + ")";
        }
    }

    /**
     * Whether process {@code pid} holds an ACTIVE subscriber slot of topic {@code name} (it has
     * joined: a publisher now waits for it); false when there is no such topic file (yet).
     */
    static boolean joined(Path busDir, String name, long pid) {
        TopicFile topic;
        try {
            topic = TopicFile.tryOpen(TopicFile.pathOf(busDir, name), SharedFiles.FILE_MODE);
        } catch (RingBusException | InternalError e) {
            return false;
        }
        if (topic == null) {
            return false;
        }
        try (topic) {
            Ring ring = topic.ring();
            MemorySegment cursors = ring.segment();
            for (int i = 0; i < ring.maxCursors(); i++) {
                long slot = RingDescriptor.cursorOffset(i);
                if (Memory.getIntVolatile(cursors, slot + CursorDescriptor.STATE_OFFSET) == CursorDescriptor.ACTIVE
                    && cursors.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.PID_OFFSET) == pid
                    && topic.file().isLockHeld(TopicDescriptor.subscriberLockByte(i))) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException | InternalError e) {
            return false;
        }
    }

    /**
     * For each live process holding an ACTIVE subscriber slot of topic {@code name}: how far its cursor
     * is behind the tail, in bytes (more than 0: there is something for it to read). Empty when the
     * topic cannot be read.
     */
    static Map<Long, Long> behind(Path busDir, String name) {
        TopicFile topic;
        try {
            topic = TopicFile.tryOpen(TopicFile.pathOf(busDir, name), SharedFiles.FILE_MODE);
        } catch (RingBusException | InternalError e) {
            return Map.of();
        }
        if (topic == null) {
            return Map.of();
        }
        Map<Long, Long> behind = new HashMap<>();
        try (topic) {
            Ring ring = topic.ring();
            MemorySegment cursors = ring.segment();
            long tail = ring.tail();
            for (int i = 0; i < ring.maxCursors(); i++) {
                long slot = RingDescriptor.cursorOffset(i);
                if (Memory.getIntVolatile(cursors, slot + CursorDescriptor.STATE_OFFSET) == CursorDescriptor.ACTIVE
                    && topic.file().isLockHeld(TopicDescriptor.subscriberLockByte(i))) {
                    long pid = cursors.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.PID_OFFSET);
                    long position = Memory.getLongVolatile(cursors, slot + CursorDescriptor.POSITION_OFFSET);
                    behind.merge(pid, Math.max(0, tail - position), Math::max);
                }
            }
            return behind;
        } catch (RuntimeException | InternalError e) {
            return Map.of();
        }
    }

    private static String describe(TopicFile topic) {
        MappedFile file = topic.file();
        MemorySegment header = topic.segment();
        Ring ring = topic.ring();
        long tail = ring.tail();
        int capacity = ring.capacity();
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "topic %s (capacity %,d): tail %,d, committed head %,d; publishers:",
            topic.name(), capacity, tail, ring.committedHead()));
        int shown = 0;
        for (int i = 0; i < topic.publisherSlots(); i++) {
            long slot = TopicDescriptor.publisherSlotOffset(i);
            if (Memory.getIntVolatile(header, slot + PublisherSlotDescriptor.STATE_OFFSET)
                == PublisherSlotDescriptor.ACTIVE) {
                int pid = header.get(ValueLayout.JAVA_INT, slot + PublisherSlotDescriptor.PID_OFFSET);
                boolean alive = file.isLockHeld(TopicDescriptor.publisherLockByte(i));
                text.append(shown++ == 0 ? " " : ", ").append("slot ").append(i).append(" pid ").append(pid)
                    .append(alive ? " alive" : " dead");
            }
        }
        if (shown == 0) {
            text.append(" none");
        }
        text.append("; subscribers:");
        shown = 0;
        MemorySegment cursors = ring.segment();
        for (int i = 0; i < ring.maxCursors(); i++) {
            long slot = RingDescriptor.cursorOffset(i);
            int state = Memory.getIntVolatile(cursors, slot + CursorDescriptor.STATE_OFFSET);
            if (state == CursorDescriptor.FREE) {
                continue;
            }
            int pid = cursors.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.PID_OFFSET);
            int flags = cursors.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.FLAGS_OFFSET);
            long position = Memory.getLongVolatile(cursors, slot + CursorDescriptor.POSITION_OFFSET);
            boolean parked = cursors.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.PARKED_OFFSET) != 0;
            boolean alive = file.isLockHeld(TopicDescriptor.subscriberLockByte(i));
            long lag = tail - position;
            text.append(shown++ == 0 ? " " : ", ").append("slot ").append(i).append(" pid ").append(pid)
                .append(alive ? " alive" : " dead");
            if ((flags & SubscriberSlotDescriptor.FLAG_DURABLE) != 0) {
                text.append(" durable '").append(durableName(cursors, slot)).append('\'');
            }
            text.append(' ').append(stateName(state)).append(String.format(Locale.ROOT, " position %,d lag %,d",
                position, lag));
            if (lag >= capacity) {
                text.append(String.format(Locale.ROOT, " (%.2f laps: a full ring)", (double) lag / capacity));
            }
            if (parked) {
                text.append(" parked");
            }
        }
        if (shown == 0) {
            text.append(" none");
        }
        return text.toString();
    }

    private static String stateName(int state) {
        return switch (state) {
            case CursorDescriptor.JOINING -> "JOINING";
            case CursorDescriptor.ACTIVE -> "ACTIVE";
            case SubscriberSlotDescriptor.EVICTED -> "EVICTED";
            default -> "state " + state;
        };
    }

    private static String durableName(MemorySegment ring, long slot) {
        int length = ring.get(ValueLayout.JAVA_INT, slot + SubscriberSlotDescriptor.NAME_LENGTH_OFFSET);
        length = Math.max(0, Math.min(length, SubscriberSlotDescriptor.MAX_NAME_BYTES));
        byte[] bytes = new byte[length];
        MemorySegment.copy(ring, ValueLayout.JAVA_BYTE, slot + SubscriberSlotDescriptor.NAME_OFFSET, bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
