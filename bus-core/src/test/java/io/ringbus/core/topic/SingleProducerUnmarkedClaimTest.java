package io.ringbus.core.topic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.ring.internal.Memory;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The publisher of a single-producer topic notes no claim intent: a claim it won (the tail moved) but
 * left without a marker when it died is its last one, and recovery pads it up to the tail. Each case
 * makes such a claim the way a death between the tail store and the marker store leaves it: a
 * publisher in a mapping of its own commits messages, the tail is moved past one more claim, and the
 * mapping is closed (its slot lock goes with it; the slot stays ACTIVE).
 */
class SingleProducerUnmarkedClaimTest {
    private static final int CAPACITY = 4096;
    private static final TopicConfig TOPIC = new TopicConfig().capacity(CAPACITY).producerMode(ProducerMode.SINGLE);
    /** 100-byte messages take 128-byte records: 31 of them end 128 bytes before the end of the data area. */
    private static final int BEFORE_WRAP = 31;

    private TempBus temp;
    private Bus bus;
    private Subscriber subscriber;
    private final List<byte[]> received = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        temp = TempBus.open("rb-unmarked-claim-");
        bus = temp.bus();
        subscriber = bus.newSubscriber("t", TOPIC, new SubscriberConfig().wakeup(WakeupMode.SPIN));
    }

    @AfterEach
    void close() {
        temp.close();
    }

    private static byte[] message(int seed) {
        return TempBus.filled(seed, 100);
    }

    private int poll() {
        return subscriber.poll((type, buffer, offset, length) -> received.add(
            buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE)), 100);
    }

    /**
     * A publisher (slot 0) commits {@code messages}, which the subscriber reads, then wins
     * {@code claimBytes} more of the tail and dies; returns where that claim starts.
     */
    private long dieWithUnmarkedClaim(int messages, int claimBytes) {
        TempBus.OwnMapping dying = temp.publisherOfItsOwn("t");
        ShmPublisher dead = dying.publisher();
        TopicFile deadsFile = dying.file();
        assertEquals(0, dead.slotIndex());
        for (int i = 0; i < messages; i++) {
            assertTrue(dead.offer(message(i)) >= 0);
            assertEquals(1, poll());
        }
        long tail = deadsFile.ring().tail();
        Memory.setLongVolatile(deadsFile.ring().segment(), RingDescriptor.TAIL_OFFSET, tail + claimBytes);
        dying.die();
        return tail;
    }

    private TopicFile topic() {
        return ((ShmSubscriber) subscriber).topicFile();
    }

    private void assertReceivedInOrder(int dead, int successor) {
        assertEquals(dead + successor, received.size());
        for (int i = 0; i < dead; i++) {
            assertArrayEquals(message(i), received.get(i), "message " + i + " of the dead publisher");
        }
        for (int i = 0; i < successor; i++) {
            assertArrayEquals(message(100 + i), received.get(dead + i), "message " + i + " of its successor");
        }
    }

    @Test
    void aSubscriberHeldUpByTheDeadPublishersLastClaimPadsItUpToTheTail() {
        long claim = dieWithUnmarkedClaim(3, 128);
        assertEquals(0, poll(), "held up at the claim without a marker");
        assertEquals(claim, subscriber.position());

        assertTrue(DeadClaims.recover(topic(), claim));
        Publisher successor = bus.newPublisher("t", TOPIC);
        assertEquals(claim + 128, successor.offer(message(100)));
        poll();
        assertReceivedInOrder(3, 1);
    }

    @Test
    void aClaimOverTheWrapIsPaddedInTwoPieces() {
        // 128 bytes of padding to the end of the data area, then a 224-byte record at its start.
        long claim = dieWithUnmarkedClaim(BEFORE_WRAP, 128 + 224);
        assertEquals(CAPACITY - 128, claim);
        assertEquals(0, poll());
        assertTrue(DeadClaims.recover(topic(), claim));
        Publisher successor = bus.newPublisher("t", TOPIC);
        assertEquals(CAPACITY + 224, successor.offer(message(100)));
        poll();
        assertReceivedInOrder(BEFORE_WRAP, 1);
    }

    @Test
    void aSuccessorPadsTheDeadPublishersLastClaimWhenItTakesTheSlot() {
        long claim = dieWithUnmarkedClaim(3, 128 + 224 + 128);
        Publisher successor = bus.newPublisher("t", TOPIC);
        assertEquals(claim + 480, successor.offer(message(100)));
        assertTrue(successor.offer(message(101)) > 0);
        assertEquals(2, poll(), "over the padding");
        assertReceivedInOrder(3, 2);
    }

    @Test
    void theClaimOfALivePublisherIsLeftAlone() {
        Publisher live = bus.newPublisher("t", TOPIC);
        assertEquals(0, live.offer(message(0)));
        // As if the live publisher were between its tail store and its marker store right now.
        TopicFile topic = topic();
        long tail = topic.ring().tail();
        long stamp = topic.ring().segment().get(ValueLayout.JAVA_LONG, topic.ring().dataOffset() + tail + 8);
        Memory.setLongVolatile(topic.ring().segment(), RingDescriptor.TAIL_OFFSET, tail + 128);

        assertFalse(DeadClaims.recover(topic, tail));
        assertEquals(stamp, topic.ring().segment().get(ValueLayout.JAVA_LONG, topic.ring().dataOffset() + tail + 8));
        Memory.setLongVolatile(topic.ring().segment(), RingDescriptor.TAIL_OFFSET, tail);
    }
}
