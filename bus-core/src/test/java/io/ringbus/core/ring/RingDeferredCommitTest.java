package io.ringbus.core.ring;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.Result;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A reader that defers its commits: polls move only its own position; the slot (what producers wait
 * for, what a durable successor attaches at) moves on {@code commit}/{@code commitMessages} alone.
 */
class RingDeferredCommitTest {
    private static final int CAPACITY = 1024;
    private static final int PAYLOAD = 48; // 64-byte records: 16 fill the ring

    private static Ring newRing(Arena arena) {
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(4).producerMode(ProducerMode.MANY);
        return Ring.format(arena.allocate(config.requiredLength(), 64), config);
    }

    private static long offer(RingWriter writer, long value) {
        byte[] payload = new byte[PAYLOAD];
        for (int i = 0; i < 8; i++) {
            payload[i] = (byte) (value >>> (8 * i));
        }
        return writer.offer(1, payload, 0, PAYLOAD);
    }

    /** Polls up to {@code limit}, recording each message's value. */
    private static int poll(RingReader reader, int limit, List<Long> values) {
        return reader.poll((type, buffer, offset, length) ->
            values.add(buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset)), limit);
    }

    @Test
    void producersWaitForTheCommitNotForThePoll() {
        try (Arena arena = Arena.ofConfined()) {
            Ring ring = newRing(arena);
            RingReader reader = RingReader.join(ring, RingReader.takeFreeSlot(ring), false, false);
            reader.deferCommits();
            RingWriter writer = ring.newWriter();
            for (int i = 0; i < 16; i++) {
                assertTrue(offer(writer, i) >= 0, "record " + i);
            }
            List<Long> values = new ArrayList<>();
            assertEquals(16, poll(reader, 16, values));
            assertEquals(CAPACITY, reader.position());
            assertEquals(0, reader.committedPosition(), "a deferred poll stores nothing");
            assertEquals(Result.BACK_PRESSURED, offer(writer, 16), "the ring is full up to the last commit");

            assertTrue(reader.commitMessages(4)); // the first four are consumed
            assertEquals(4 * 64, reader.committedPosition());
            assertTrue(offer(writer, 16) >= 0);
            assertTrue(reader.commitMessages(0));
            assertEquals(4 * 64, reader.committedPosition());
            assertThrows(IllegalArgumentException.class, () -> reader.commitMessages(13), "only 12 are left");
            assertTrue(reader.commitMessages(11));
            assertEquals(15 * 64, reader.committedPosition());

            reader.commit();
            assertEquals(CAPACITY, reader.committedPosition());
        }
    }

    /** commitMessages walks over the padding at the wrap, counting messages only. */
    @Test
    void committingSomeMessagesSkipsPaddingAndStopsRightAfterTheLastOne() {
        try (Arena arena = Arena.ofConfined()) {
            Ring ring = newRing(arena);
            RingReader reader = RingReader.join(ring, RingReader.takeFreeSlot(ring), false, false);
            reader.deferCommits();
            RingWriter writer = ring.newWriter();
            for (int i = 0; i < 10; i++) {
                assertTrue(offer(writer, i) >= 0);
            }
            assertEquals(10, poll(reader, 10, new ArrayList<>()));
            reader.commit();
            byte[] large = new byte[128]; // 144-byte records: 640, 784, then 96 bytes of padding at 928
            for (int i = 0; i < 3; i++) {
                assertTrue(writer.offer(1, large, 0, large.length) >= 0);
            }
            assertEquals(3, poll(reader, 10, new ArrayList<>()));
            assertEquals(1024 + 144, reader.position());
            assertTrue(reader.commitMessages(2));
            assertEquals(928, reader.committedPosition(), "right after the second, before the padding");
            assertTrue(reader.commitMessages(1));
            assertEquals(1024 + 144, reader.committedPosition());
        }
    }

    @Test
    void aSuccessorAttachesAtTheLastCommitAndGetsWhatCameAfterItAgain() {
        try (Arena arena = Arena.ofConfined()) {
            Ring ring = newRing(arena);
            int slot = RingReader.takeFreeSlot(ring);
            RingReader first = RingReader.join(ring, slot, false, false);
            first.deferCommits();
            RingWriter writer = ring.newWriter();
            for (int i = 0; i < 10; i++) {
                assertTrue(offer(writer, i) >= 0);
            }
            List<Long> values = new ArrayList<>();
            assertEquals(6, poll(first, 6, values));
            first.commit();
            assertEquals(4, poll(first, 10, values));
            first.detach(); // as a durable subscriber that died before its next commit
            assertThrows(IllegalStateException.class, first::commit);

            RingReader successor = RingReader.attach(ring, slot, false);
            List<Long> again = new ArrayList<>();
            assertEquals(4, poll(successor, 10, again));
            assertEquals(List.of(6L, 7L, 8L, 9L), again);
            assertEquals(successor.position(), successor.committedPosition(), "a reader that does not defer stores");
        }
    }
}
