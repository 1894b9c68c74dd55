package io.ringbus.core.topic;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.ring.ProducerMode;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A publisher that takes over the slot of a dead one pads the dead one's last claim if it was left
 * unfinished. That claim is known only from the claim intent the dead publisher noted before its
 * last claim; when that claim was committed and the ring has since wrapped over it, the intent is
 * stale and the bytes at its offsets belong to later records. Padding them destroyed a committed
 * message (found by {@code bus stress}: torn messages and stalls after publisher restarts).
 */
class StaleClaimIntentTest {
    private static final int CAPACITY = 4096;
    private static final TopicConfig TOPIC = new TopicConfig().capacity(CAPACITY).producerMode(ProducerMode.MANY);

    private TempBus temp;

    @BeforeEach
    void open() throws Exception {
        temp = TempBus.open("rb-stale-intent-");
    }

    @AfterEach
    void close() {
        temp.close();
    }

    private static byte[] message(int seed) {
        return TempBus.filled(seed, 100);
    }

    @Test
    void aCommittedAndOverwrittenClaimOfADeadPublisherIsLeftAlone() {
        Bus bus = temp.bus();
        Publisher live = bus.newPublisher("t", TOPIC);
        Subscriber subscriber = bus.newSubscriber("t", TOPIC, new SubscriberConfig().wakeup(WakeupMode.SPIN));
        List<byte[]> received = new ArrayList<>();

        // A publisher in a mapping of its own (slot 1) commits one message at position 0 (record of 128
        // bytes; its claim intent says [0, 128)), then dies: its lock goes with the mapping, its slot
        // stays ACTIVE.
        TempBus.OwnMapping dying = temp.publisherOfItsOwn("t");
        ShmPublisher dead = dying.publisher();
        assertEquals(1, dead.slotIndex());
        assertEquals(0, dead.offer(message(200)));
        dying.die();

        // The live publisher fills the rest of the lap, then writes message 31 at position 4096: offset
        // 0 again, over the dead publisher's old record. The subscriber keeps up, but has not read it.
        for (int i = 0; i < 31; i++) {
            assertTrue(live.offer(message(i)) >= 0);
            subscriber.poll((type, buffer, offset, length) -> received.add(
                buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE)), 10);
        }
        assertEquals(CAPACITY, live.offer(message(31)));

        // A new publisher takes the dead one's slot.
        try (Bus other = Bus.open(new BusContext().directory(temp.directory()))) {
            ShmPublisher successor = (ShmPublisher) other.newPublisher("t", TOPIC);
            assertEquals(1, successor.slotIndex());
        }

        subscriber.poll((type, buffer, offset, length) -> received.add(
            buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE)), 10);
        assertEquals(33, received.size(), "the dead publisher's message, and all 32 of the live one's");
        assertArrayEquals(message(200), received.getFirst());
        for (int i = 0; i < 32; i++) {
            assertArrayEquals(message(i), received.get(i + 1), "message " + i);
        }
    }
}
