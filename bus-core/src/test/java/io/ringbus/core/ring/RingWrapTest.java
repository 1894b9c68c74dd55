package io.ringbus.core.ring;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.ring.RingHarness.Tracked;
import io.ringbus.core.ring.RingHarness.Via;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Records of every size cross the end of the data area: each payload byte, type id, offset and
 * position is checked against {@link RingHarness}'s model, in both producer modes.
 */
class RingWrapTest {
    private static final int CAPACITY = 1024;
    /** Initial positions, so that the first wrap happens at every phase of the record sizes. */
    private static final long[] STARTS = {0, 16, 80, 496, CAPACITY - 48, CAPACITY - 16, 5L * CAPACITY + 272};

    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void everyPayloadLengthWrapsAtLeastTwiceFromSeveralOffsets(ProducerMode mode) {
        for (int length = 0; length <= CAPACITY / 8; length++) {
            for (long start : STARTS) {
                wrapWithLength(mode, start, length);
            }
        }
    }

    private static void wrapWithLength(ProducerMode mode, long start, int length) {
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(2).producerMode(mode)
            .initialPosition(start);
        try (RingHarness h = new RingHarness(config)) {
            assertEquals(CAPACITY / 8, h.ring.maxMessageLength());
            RingWriter writer = h.ring.newWriter();
            Tracked reader = h.join();
            Random random = new Random(length * 1009L + start);
            Via[] vias = Via.values();
            int paddings = 0;
            while (h.modelTail / CAPACITY - start / CAPACITY < 3) {
                int attempts = random.nextInt(3) == 0 ? Integer.MAX_VALUE : random.nextInt(8);
                for (int i = 0; i < attempts; i++) {
                    int before = h.sent.size();
                    if (h.offer(writer, length, vias[random.nextInt(vias.length)]) < 0) {
                        break;
                    }
                    RingHarness.Sent s = h.sent.get(before);
                    if (s.position != s.claimStart) {
                        paddings++;
                    }
                }
                reader.poll(random.nextInt(4) == 0 ? Integer.MAX_VALUE : 1 + random.nextInt(4));
            }
            reader.drain();
            assertEquals(h.sent.size(), reader.delivered);
            assertEquals(h.modelTail, reader.reader.position());
            if (CAPACITY % RecordDescriptor.recordLength(length) != 0) {
                assertTrue(paddings >= 2, "length " + length + " from " + start + " padded " + paddings + " times");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void mixedLengthsWithTwoReadersAtDifferentPaces(ProducerMode mode) {
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            long start = random.nextInt(64 * CAPACITY) & -RecordDescriptor.ALIGNMENT;
            int max = 1 + random.nextInt(CAPACITY / 8);
            RingConfig config = new RingConfig().capacity(CAPACITY).maxMessageLength(max).maxCursors(4)
                .producerMode(mode).initialPosition(start);
            try (RingHarness h = new RingHarness(config)) {
                RingWriter writer = h.ring.newWriter();
                Tracked fast = h.join();
                Tracked slow = h.join();
                while (h.modelTail - start < 12L * CAPACITY) {
                    int length = random.nextInt(4) == 0 ? max : random.nextInt(max + 1);
                    h.offer(writer, length, Via.values()[random.nextInt(3)]);
                    if (random.nextInt(2) == 0) {
                        fast.poll(1 + random.nextInt(6));
                    }
                    if (random.nextInt(9) == 0) {
                        slow.poll(Integer.MAX_VALUE);
                    }
                }
                h.drainAll();
                assertEquals(h.sent.size(), fast.delivered);
                assertEquals(h.sent.size(), slow.delivered);
            }
        }
    }

    /**
     * After many laps the data area is full of old committed records. A reader joining at the tail
     * must not take any of them for new records: their stamps belong to earlier positions.
     */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void aReaderAtTheTailNeverSeesRecordsOfEarlierLaps(ProducerMode mode) {
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(4).producerMode(mode);
        try (RingHarness h = new RingHarness(config)) {
            RingWriter writer = h.ring.newWriter();
            Tracked first = h.join();
            Random random = new Random(7);
            for (int lap = 0; lap < 5; lap++) {
                while (h.offer(writer, random.nextInt(CAPACITY / 8 + 1), Via.BYTES) >= 0) {
                    // fill the whole ring
                }
                first.drain();
            }
            Tracked late = h.join();
            for (int i = 0; i < 10; i++) {
                assertEquals(0, late.poll(Integer.MAX_VALUE));
                assertEquals(0, first.poll(Integer.MAX_VALUE));
            }
            h.offer(writer, 33, Via.CLAIM);
            assertEquals(1, late.poll(Integer.MAX_VALUE));
            assertEquals(1, first.poll(Integer.MAX_VALUE));
            assertEquals(0, late.poll(Integer.MAX_VALUE));
        }
    }

    /**
     * Payload bytes are whatever a publisher (or a remote client behind a bridge) sends. A payload
     * that carries, at the right offset, a header stamped for the same offset one lap later would
     * look committed to a reader idle at the tail once the tail reaches that position, if stamps
     * were a public function of the position: the reader would deliver a message no writer wrote,
     * jump past the tail, and then miss the real records written there. Each ring XORs its stamps
     * with a random salt (RingDescriptor), so a payload built from the public function is not a
     * commit stamp of this ring.
     */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void payloadBytesOfAnEarlierLapCannotPassForARecord(ProducerMode mode) {
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(2).producerMode(mode);
        try (Arena arena = Arena.ofConfined()) {
            Ring ring = Ring.format(arena.allocate(config.requiredLength(), 64), config);
            RingWriter writer = ring.newWriter();
            RingReader reader = ring.newReader();
            List<Integer> types = new ArrayList<>();
            MessageHandler handler = (type, buffer, offset, length) -> types.add(type);
            // Record 0 spans data offsets [0, 128); its payload starts at 16, so payload index 16 is
            // data offset 32: forge there a header for position CAPACITY + 32 (same offset, next lap).
            long forged = CAPACITY + 32;
            byte[] payload = new byte[100];
            MemorySegment bytes = MemorySegment.ofArray(payload);
            bytes.set(ValueLayout.JAVA_INT_UNALIGNED, 16 + RecordDescriptor.LENGTH_OFFSET, 0);
            bytes.set(ValueLayout.JAVA_INT_UNALIGNED, 16 + RecordDescriptor.TYPE_OFFSET, 666);
            bytes.set(ValueLayout.JAVA_LONG_UNALIGNED, 16 + RecordDescriptor.STAMP_OFFSET,
                RecordDescriptor.stampOf(forged));
            assertEquals(0, writer.offer(1, payload, 0, payload.length));
            // Zero-length records up to the forged position: they rewrite data offsets 0 and 16 of the
            // next lap but leave offset 32, where the forged header sits, as it was.
            while (ring.tail() < forged) {
                assertTrue(writer.offer(2, new byte[0], 0, 0) >= 0);
                reader.poll(handler, Integer.MAX_VALUE);
            }
            reader.poll(handler, Integer.MAX_VALUE);
            assertFalse(types.contains(666), "a record nobody wrote was delivered");
            assertEquals(forged, ring.tail());
            assertEquals(forged, reader.position(), "the reader went past the tail");
            assertTrue(writer.offer(3, new byte[40], 0, 40) >= 0);
            assertEquals(1, reader.poll(handler, Integer.MAX_VALUE));
            assertEquals(3, types.getLast());
        }
    }

    /** A ring formatted over memory that held another ring must not show that ring's records. */
    @Test
    void reformattingOverOldRecordsDeliversNoneOfThem() {
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(2).producerMode(ProducerMode.SINGLE);
        try (RingHarness h = new RingHarness(config)) {
            RingWriter writer = h.ring.newWriter();
            h.join();
            while (h.offer(writer, 20, Via.BYTES) >= 0) {
                // fill
            }
            Ring again = Ring.format(h.ring.segment(), config);
            RingReader reader = again.newReader();
            assertEquals(0, reader.poll((type, buffer, offset, length) -> fail("stale record"), Integer.MAX_VALUE));
            assertEquals(0, reader.position());
        }
    }
}
