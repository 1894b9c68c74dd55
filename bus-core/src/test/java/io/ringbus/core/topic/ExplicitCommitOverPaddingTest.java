package io.ringbus.core.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.ring.CursorDescriptor;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.ring.internal.Memory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A subscriber with explicit commits that reads only padding has nothing to commit, yet its slot must
 * pass the padding: a durable one otherwise stays parked behind the tail for good, its lag never zero.
 * Seen end to end in DurableSubKillTest: {@code bus pub} killed inside a claim, the claim recovered as
 * padding, and {@code bus sub --name audit} (which commits only after printing a batch) left 32 bytes
 * behind the tail forever. Padding carries nothing, so passing it loses nothing; what the subscriber
 * delivered and did not commit must still hold its slot.
 */
class ExplicitCommitOverPaddingTest {
    private static final TopicConfig TOPIC = new TopicConfig().capacity(4096).producerMode(ProducerMode.MANY);
    private static final byte[] MESSAGE = new byte[8];

    private TempBus temp;
    private Bus bus;
    private ShmSubscriber subscriber;

    @BeforeEach
    void open() throws Exception {
        temp = TempBus.open("rb-commit-padding-");
        bus = temp.bus();
        subscriber = (ShmSubscriber) bus.newSubscriber("t", TOPIC,
            new SubscriberConfig().durableName("audit").explicitCommit(true).wakeup(WakeupMode.SPIN));
    }

    @AfterEach
    void close() {
        temp.close();
    }

    private int poll() {
        return subscriber.poll((type, buffer, offset, length) -> { }, 100);
    }

    /** The position the subscriber's slot holds: what publishers wait for and a successor resumes at. */
    private long committed() {
        return Memory.getLongVolatile(subscriber.topicFile().ring().segment(),
            RingDescriptor.cursorOffset(subscriber.slotIndex()) + CursorDescriptor.POSITION_OFFSET);
    }

    private long tail() {
        return subscriber.topicFile().ring().tail();
    }

    @Test
    void aDeadPublishersRecoveredClaimAtTheTailLeavesNoLag() {
        // A publisher in a mapping of its own commits three messages, claims a fourth and dies.
        TempBus.OwnMapping dying = temp.publisherOfItsOwn("t");
        ShmPublisher dead = dying.publisher();
        for (int i = 0; i < 3; i++) {
            assertTrue(dead.offer(MESSAGE) >= 0);
        }
        long claim = dead.tryClaim(8);
        assertTrue(claim >= 0);
        dying.die();

        assertEquals(3, poll());
        subscriber.commit();
        assertEquals(0, poll(), "held up at the dead publisher's claim");
        assertEquals(claim, committed());
        assertTrue(DeadClaims.recover(subscriber.topicFile(), claim));

        assertEquals(0, poll(), "the claim is padding now");
        assertEquals(tail(), subscriber.position());
        assertEquals(tail(), committed(), "the slot passes the padding: nothing was delivered since the commit");
    }

    @Test
    void paddingAfterUncommittedMessagesWaitsForTheirCommit() {
        Publisher publisher = bus.newPublisher("t", TOPIC);
        assertTrue(publisher.offer(MESSAGE) >= 0);
        assertTrue(publisher.offer(MESSAGE) >= 0);
        long start = committed();
        assertEquals(2, poll());
        publisher.abort(publisher.tryClaim(8));
        assertEquals(0, poll(), "padding only");

        assertEquals(start, committed(), "two messages delivered, not committed: the slot holds them");
        subscriber.commit();
        assertEquals(tail(), committed());
    }

    @Test
    void committingSomeMessagesKeepsTheRestHeld() {
        Publisher publisher = bus.newPublisher("t", TOPIC);
        long first = publisher.offer(MESSAGE);
        publisher.abort(publisher.tryClaim(8));
        long second = publisher.offer(MESSAGE);
        assertEquals(2, poll());

        subscriber.commitMessages(1);
        assertEquals(first + 32, committed(), "right after the first message: a message is still owed after it");
        assertTrue(first + 32 < second);
    }

    @Test
    void committingEveryDeliveredMessageAlsoPassesTheTrailingPadding() {
        // A bridge commits by count (a client's COMMIT frame): the padding read after the last message
        // must not hold the slot once every message is committed.
        Publisher publisher = bus.newPublisher("t", TOPIC);
        assertTrue(publisher.offer(MESSAGE) >= 0);
        assertTrue(publisher.offer(MESSAGE) >= 0);
        publisher.abort(publisher.tryClaim(8));
        assertEquals(2, poll());
        assertEquals(0, poll());

        subscriber.commitMessages(2);
        assertEquals(tail(), committed());
    }
}
