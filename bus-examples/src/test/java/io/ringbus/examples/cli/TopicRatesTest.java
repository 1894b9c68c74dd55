package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.RecordDescriptor;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingConfig;
import io.ringbus.core.ring.RingWriter;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** The rates {@code bus stat --watch} shows: messages counted exactly from record headers, or estimated. */
class TopicRatesTest {
    private static final long SECOND = 1_000_000_000L;

    private static void offer(RingWriter writer, int length) {
        assertTrue(writer.offer(0, new byte[length], 0, length) >= 0);
    }

    @Test
    void countsTheMessagesTheTailPassedButNotThePaddingAtTheWrap() {
        RingConfig config = new RingConfig().capacity(4096).maxCursors(1).producerMode(ProducerMode.SINGLE)
            .initialPosition(4096 - 48);
        try (Arena arena = Arena.ofConfined()) {
            Ring ring = Ring.format(arena.allocate(config.requiredLength(), 64), config);
            RingWriter writer = ring.newWriter();
            TopicRates rates = new TopicRates(1);
            assertNull(rates.update(ring, ring.tail(), 0), "the first reading has nothing to compare with");

            long before = ring.tail();
            offer(writer, 10);  // 32 bytes, 16 left before the wrap
            offer(writer, 100); // 16 bytes of padding, then 128 bytes after the wrap
            offer(writer, 0);
            long bytes = ring.tail() - before;
            assertEquals(32 + 16 + 128 + 16, bytes);

            TopicRates.Rates measured = rates.update(ring, ring.tail(), 2 * SECOND);
            assertEquals(1.5, measured.messagesPerSecond(), 1e-9, "3 messages in 2 s; the padding is no message");
            assertEquals(bytes / 2.0, measured.bytesPerSecond(), 1e-9);
            assertFalse(measured.estimated());

            TopicRates.Rates idle = rates.update(ring, ring.tail(), 3 * SECOND);
            assertEquals(0, idle.messagesPerSecond());
            assertEquals(0, idle.bytesPerSecond());
        }
    }

    @Test
    void estimatesFromTheMeanRecordLengthWhenMoreThanARingPassedBetweenTwoReadings() {
        RingConfig config = new RingConfig().capacity(4096).maxCursors(1).producerMode(ProducerMode.SINGLE);
        try (Arena arena = Arena.ofConfined()) {
            Ring ring = Ring.format(arena.allocate(config.requiredLength(), 64), config);
            RingWriter writer = ring.newWriter();
            TopicRates rates = new TopicRates(1);
            rates.update(ring, ring.tail(), 0);
            for (int i = 0; i < 4; i++) {
                offer(writer, 48); // 64-byte records: 64 of them fill the ring exactly, no padding
            }
            assertEquals(4, rates.update(ring, ring.tail(), SECOND).messagesPerSecond(), 1e-9);

            for (int i = 0; i < 1000; i++) {
                offer(writer, 48); // 64000 bytes: the first ones are overwritten before the next reading
            }
            TopicRates.Rates measured = rates.update(ring, ring.tail(), 3 * SECOND);
            assertTrue(measured.estimated());
            assertEquals(500, measured.messagesPerSecond(), 1e-9, "64000 bytes of 64-byte records in 2 s");
            assertEquals(1000 * RecordDescriptor.recordLength(48) / 2.0, measured.bytesPerSecond(), 1e-9);
        }
    }

    @Test
    void aTopicMadeAnewStartsAgain() {
        TopicRates rates = new TopicRates(42);
        assertTrue(rates.sameTopic(42));
        assertFalse(rates.sameTopic(43));
    }
}
