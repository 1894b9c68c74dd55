package io.ringbus.core.ring;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.CorruptRingException;
import io.ringbus.core.Result;
import io.ringbus.core.RingBusException;
import io.ringbus.core.ring.RingHarness.Tracked;
import io.ringbus.core.ring.RingHarness.Via;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Broadcast to many cursors: every reader sees every record after it joined, in order, whatever its
 * pace; writers wait for the slowest open reader and no other; closed readers free their slots.
 */
class RingCursorTest {
    private static final int CAPACITY = 4096;
    private static final int CURSORS = 64;

    private static RingConfig config(ProducerMode mode) {
        return new RingConfig().capacity(CAPACITY).maxCursors(CURSORS).producerMode(mode);
    }

    /**
     * 64 readers join at different times and poll at different frequencies with different limits
     * while one writer writes 30 laps. The harness checks each delivery, each reader position, and
     * that every offer is refused exactly when it would overrun the slowest open reader.
     */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void sixtyFourReadersAtDifferentPacesEachSeeEveryRecordAfterTheirStart(ProducerMode mode) {
        try (RingHarness h = new RingHarness(config(mode))) {
            RingWriter writer = h.ring.newWriter();
            Random random = new Random(64);
            List<Tracked> readers = new ArrayList<>();
            int[] startIndex = new int[CURSORS];
            long lastJoin = 0;
            int[] every = new int[CURSORS];
            int[] limit = new int[CURSORS];
            int backPressured = 0;
            for (int step = 0; h.modelTail < 30L * CAPACITY; step++) {
                if (readers.size() < CURSORS && step == readers.size() * 23) {
                    int i = readers.size();
                    startIndex[i] = h.sent.size();
                    every[i] = i == 5 ? 150 : 1 + i % 9;
                    limit[i] = i % 7 == 0 || i == 5 ? Integer.MAX_VALUE : 1 + i % 4;
                    readers.add(h.join());
                    lastJoin = h.modelTail;
                }
                if (h.offer(writer, random.nextInt(200), Via.values()[step % 3]) == Result.BACK_PRESSURED) {
                    backPressured++;
                }
                for (int i = 0; i < readers.size(); i++) {
                    if (step % every[i] == 0) {
                        readers.get(i).poll(limit[i]);
                    }
                }
            }
            assertEquals(CURSORS, readers.size());
            assertEquals(CURSORS, h.ring.activeCursors());
            assertTrue(backPressured > 0);
            h.drainAll();
            for (int i = 0; i < CURSORS; i++) {
                assertEquals(h.sent.size() - startIndex[i], readers.get(i).delivered, "reader " + i);
                assertEquals(h.modelTail, readers.get(i).reader.position());
            }
            assertTrue(lastJoin > 3L * CAPACITY, "the last reader joined after several laps: " + lastJoin);
        }
    }

    /** Fixed 64-byte records: refused exactly when the slowest reader is a whole capacity behind. */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void theWriterIsBackPressuredExactlyWhenTheSlowestReaderIsACapacityBehind(ProducerMode mode) {
        try (RingHarness h = new RingHarness(config(mode))) {
            RingWriter writer = h.ring.newWriter();
            List<Tracked> readers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                readers.add(h.join());
            }
            Random random = new Random(8);
            int refusals = 0;
            while (h.modelTail < 20L * CAPACITY) {
                long behind = h.modelTail - h.slowest();
                long result = h.offer(writer, 48, Via.values()[random.nextInt(3)]);
                if (behind == CAPACITY) {
                    assertEquals(Result.BACK_PRESSURED, result);
                    refusals++;
                } else {
                    assertTrue(behind < CAPACITY && result >= 0, "behind " + behind + ": " + Result.describe(result));
                }
                Tracked reader = readers.get(random.nextInt(readers.size()));
                if (random.nextInt(3) == 0) {
                    reader.poll(1 + random.nextInt(10));
                }
            }
            assertTrue(refusals > 10);
            h.drainAll();
        }
    }

    /** A reader that joins late sees exactly the records written after it joined. */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void aLateReaderSeesOnlyRecordsWrittenAfterItJoined(ProducerMode mode) {
        try (RingHarness h = new RingHarness(config(mode))) {
            RingWriter writer = h.ring.newWriter();
            Tracked early = h.join();
            for (int i = 0; i < 5; i++) {
                h.offer(writer, 10 + i, Via.BYTES);
            }
            Tracked late = h.join();
            for (int i = 0; i < 5; i++) {
                h.offer(writer, 20 + i, Via.SEGMENT);
            }
            early.drain();
            late.drain();
            assertEquals(10, early.delivered);
            assertEquals(5, late.delivered);
        }
    }

    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void closingTheSlowestReaderReleasesTheWriter(ProducerMode mode) {
        try (RingHarness h = new RingHarness(config(mode))) {
            RingWriter writer = h.ring.newWriter();
            Tracked slow = h.join();
            Tracked fast = h.join();
            while (h.offer(writer, 100, Via.BYTES) >= 0) {
                fast.poll(Integer.MAX_VALUE);
            }
            fast.drain();
            assertEquals(Result.BACK_PRESSURED, writer.tryClaim(0, 100));
            slow.close();
            assertEquals(1, h.ring.activeCursors());
            for (int i = 0; i < 100; i++) {
                assertTrue(h.offer(writer, 100, Via.CLAIM) >= 0);
                fast.poll(Integer.MAX_VALUE);
            }
            assertThrows(IllegalStateException.class, () -> slow.reader.poll((t, b, o, l) -> { }, 1));
        }
    }

    /** A handler that throws has consumed its message: the exception propagates, the next poll goes on. */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void aMessageWhoseHandlerThrowsCountsAsConsumed(ProducerMode mode) {
        try (RingHarness h = new RingHarness(config(mode))) {
            RingWriter writer = h.ring.newWriter();
            RingReader reader = h.ring.newReader();
            List<Long> positions = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                positions.add(writer.offer(i, new byte[] {(byte) i}, 0, 1));
            }
            List<Integer> seen = new ArrayList<>();
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> reader.poll((t, b, o, l) -> {
                seen.add(t);
                if (t == 1) {
                    throw new IllegalStateException("handler failed");
                }
            }, 10));
            assertEquals("handler failed", thrown.getMessage());
            assertEquals(List.of(0, 1), seen);
            assertEquals(positions.get(2), reader.position(), "the failed message was consumed");
            assertEquals(1, reader.poll((t, b, o, l) -> seen.add(t), 10));
            assertEquals(List.of(0, 1, 2), seen);
        }
    }

    @Test
    void oneReaderMoreThanMaxCursorsIsARingBusExceptionThatSaysWhatToDo() {
        try (RingHarness h = new RingHarness(config(ProducerMode.MANY))) {
            List<RingReader> open = new ArrayList<>();
            Set<Integer> slots = new HashSet<>();
            for (int i = 0; i < CURSORS; i++) {
                RingReader reader = h.ring.newReader();
                open.add(reader);
                assertTrue(slots.add(reader.slotIndex()), "slot " + reader.slotIndex() + " handed out twice");
                assertTrue(reader.slotIndex() >= 0 && reader.slotIndex() < CURSORS);
            }
            assertEquals(CURSORS, h.ring.activeCursors());
            RingBusException e = assertThrows(RingBusException.class, h.ring::newReader);
            assertFalse(e instanceof CorruptRingException, "a full set of readers is not corruption");
            assertTrue(e.getMessage().contains(String.valueOf(CURSORS)), e.getMessage());
            assertTrue(e.getMessage().contains("maxCursors"), e.getMessage());
            assertTrue(e.getMessage().toLowerCase().contains("close"), e.getMessage());
            assertEquals(CURSORS, h.ring.activeCursors());

            RingReader released = open.remove(17);
            released.close();
            assertEquals(CURSORS - 1, h.ring.activeCursors());
            RingReader again = h.ring.newReader();
            assertEquals(released.slotIndex(), again.slotIndex(), "the only free slot");
            assertThrows(RingBusException.class, h.ring::newReader);
        }
    }

    /** Far more joins than slots over the life of the ring, each reader closed after use. */
    @Test
    void closedReadersFreeTheirSlotsForLaterJoins() {
        try (RingHarness h = new RingHarness(config(ProducerMode.SINGLE))) {
            RingWriter writer = h.ring.newWriter();
            List<Tracked> held = new ArrayList<>();
            for (int i = 0; i < CURSORS - 2; i++) {
                held.add(h.join());
            }
            for (int i = 0; i < 5 * CURSORS; i++) {
                Tracked a = h.join();
                Tracked b = h.join();
                assertEquals(CURSORS, h.ring.activeCursors());
                h.offer(writer, i % 50, Via.BYTES);
                a.drain();
                assertEquals(1, a.delivered);
                a.close();
                b.close();
                h.drainAll();
            }
            assertEquals(CURSORS - 2, h.ring.activeCursors());
        }
    }

    /**
     * Closing twice must not free a slot that another reader took in between: that reader would stop
     * holding the writer back and lose records.
     */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void closingAReaderTwiceDoesNotReleaseTheSlotsNextOwner(ProducerMode mode) {
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(1).producerMode(mode);
        try (RingHarness h = new RingHarness(config)) {
            RingWriter writer = h.ring.newWriter();
            Tracked first = h.join();
            first.close();
            Tracked second = h.join();
            assertEquals(first.reader.slotIndex(), second.reader.slotIndex());
            first.reader.close();
            assertEquals(1, h.ring.activeCursors());
            while (h.offer(writer, 48, Via.BYTES) >= 0) {
                // the harness checks that the refusal comes when second is a capacity behind
            }
            assertEquals(CAPACITY, h.modelTail - second.reader.position());
            second.drain();
            assertEquals(h.sent.size(), second.delivered);
        }
    }
}
