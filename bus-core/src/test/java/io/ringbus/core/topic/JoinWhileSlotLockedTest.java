package io.ringbus.core.topic;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Subscriber;
import io.ringbus.core.os.SharedFiles;
import io.ringbus.core.ring.CursorDescriptor;
import io.ringbus.core.ring.internal.Memory;
import io.ringbus.core.ring.RingDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A subscriber joining while a FREE slot's lock is still held: what a closing subscriber looks like
 * to a joiner, since {@code ShmSubscriber.release()} sets its cursor FREE and only then unlocks.
 * The joiner used to take that slot (JOINING), fail to lock it, and throw "another process is
 * misbehaving", leaving the slot JOINING with no owner for good (the sweeper frees ACTIVE slots
 * only). It must take another slot and give that one back.
 */
class JoinWhileSlotLockedTest {
    private Path root;
    private Bus bus;

    @BeforeEach
    void open() throws Exception {
        root = Files.createTempDirectory(Path.of("/dev/shm"), "ringbus-test-");
        bus = Bus.open(new BusContext().directory(root.resolve("bus")).defaultCapacity(1 << 16));
    }

    @AfterEach
    void close() throws Exception {
        bus.close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aJoinerSkipsAFreeSlotWhoseLockIsStillHeldAndLeaksNothing() {
        bus.newPublisher("t");
        Path path = TopicFile.pathOf(root.resolve("bus"), "t");
        try (TopicFile other = TopicFile.tryOpen(path, SharedFiles.FILE_MODE)) {
            // Slot 0 is FREE; its lock is held, as by a subscriber between reader.close() and unlockByte().
            assertTrue(other.file().tryLockByte(TopicDescriptor.subscriberLockByte(0)));

            Subscriber joined = null;
            RuntimeException thrown = null;
            try {
                joined = bus.newSubscriber("t");
            } catch (RuntimeException e) {
                thrown = e;
            }
            RuntimeException failure = thrown;
            Subscriber subscriber = joined;
            other.file().unlockByte(TopicDescriptor.subscriberLockByte(0)); // its owner finishes closing
            int slot0 = Memory.getIntVolatile(other.ring().segment(),
                RingDescriptor.cursorOffset(0) + CursorDescriptor.STATE_OFFSET);
            assertAll(
                () -> assertNull(failure, "a join must not fail because a free slot is still locked by its"
                    + " previous owner"),
                () -> assertEquals(CursorDescriptor.FREE, slot0, "slot 0 must not be left JOINING with no owner"));
            assertNotEquals(0, ((ShmSubscriber) subscriber).slotIndex());
        }
    }
}
