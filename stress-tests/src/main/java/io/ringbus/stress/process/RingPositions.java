package io.ringbus.stress.process;

import io.ringbus.core.RingBusException;
import io.ringbus.core.os.SharedFiles;
import io.ringbus.core.ring.CursorDescriptor;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.ring.internal.Memory;
import io.ringbus.core.topic.TopicDescriptor;
import io.ringbus.core.topic.TopicFile;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A topic's ring, mapped without joining it, read for {@link Unblock}: its tail and the positions of
 * the cursors live readers hold (a cursor slot ACTIVE with its lock byte held, by any process: the
 * lock is an open-file-description lock, so the bridge's sessions in the harness's own process show as
 * holders too). Volatile reads only; nothing is written.
 */
final class RingPositions implements Unblock.Ring, AutoCloseable {
    private final TopicFile topic;
    private final Ring ring;

    private RingPositions(TopicFile topic) {
        this.topic = topic;
        this.ring = topic.ring();
    }

    /**
     * Maps topic {@code name} of {@code busDir}.
     *
     * @throws StressException when there is no such topic or it cannot be read
     */
    static RingPositions open(Path busDir, String name) {
        TopicFile topic;
        try {
            topic = TopicFile.tryOpen(TopicFile.pathOf(busDir, name), SharedFiles.FILE_MODE);
        } catch (RingBusException | InternalError e) {
            throw new StressException("cannot read topic " + name + " in " + busDir + " to time an unblock: " + e);
        }
        if (topic == null) {
            throw new StressException("no topic " + name + " in " + busDir + " to time an unblock on");
        }
        return new RingPositions(topic);
    }

    @Override
    public long tail() {
        return ring.tail();
    }

    @Override
    public List<Integer> liveCursors() {
        List<Integer> live = new ArrayList<>();
        for (int slot = 0; slot < ring.maxCursors(); slot++) {
            if (position(slot) >= 0) {
                live.add(slot);
            }
        }
        return live;
    }

    @Override
    public long position(int slot) {
        MemorySegment cursors = ring.segment();
        long offset = RingDescriptor.cursorOffset(slot);
        if (Memory.getIntVolatile(cursors, offset + CursorDescriptor.STATE_OFFSET) != CursorDescriptor.ACTIVE
            || !topic.file().isLockHeld(TopicDescriptor.subscriberLockByte(slot))) {
            return -1;
        }
        return Memory.getLongVolatile(cursors, offset + CursorDescriptor.POSITION_OFFSET);
    }

    @Override
    public void close() {
        topic.close();
    }
}
