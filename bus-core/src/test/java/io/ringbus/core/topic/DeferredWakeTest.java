package io.ringbus.core.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.ring.RingDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ShmPublisher#offerDeferringWake} and {@link ShmPublisher#wakeDeferred}: a run of messages wakes a
 * parked subscriber once, after the run, and never not at all. A lost wakeup shows as a park slice that ran
 * out with a message ready and no post ({@code timeoutWakeups}); with {@code wakeDeferred} a no-op every
 * round would count one.
 */
class DeferredWakeTest {
    private TempBus temp;
    private Bus bus;

    @BeforeEach
    void open() throws Exception {
        temp = TempBus.open("rb-deferred-wake-");
        bus = temp.bus();
    }

    @AfterEach
    void close() {
        temp.close();
    }

    /** While the run goes on nothing posts the parked subscriber; the flush after it wakes it. */
    @Test
    void aRunPostsNothingUntilItsFlushWhichWakesTheParkedSubscriber() throws Exception {
        TopicConfig config = new TopicConfig().wakeup(true);
        Subscriber subscriber = bus.newSubscriber("t", config, new SubscriberConfig().wakeup(WakeupMode.BLOCKING));
        ShmPublisher publisher = (ShmPublisher) bus.newPublisher("t", config);
        MemorySegment ring = publisher.buffer();
        long slot = RingDescriptor.cursorOffset(((ShmSubscriber) subscriber).slotIndex());
        MemorySegment message = Arena.ofAuto().allocate(64);
        AtomicLong received = new AtomicLong();
        Thread waiter = Thread.ofPlatform().start(() -> {
            while (received.get() < 10) {
                subscriber.await((type, buffer, offset, length) -> received.incrementAndGet(), 100, 60_000_000_000L);
            }
        });
        while (!WakeupProtocol.isParked(ring, slot)) {
            Thread.onSpinWait();
        }
        for (int i = 0; i < 10; i++) {
            assertTrue(publisher.offerDeferringWake(0, message, 0, 64) >= 0);
        }
        assertEquals(0, WakeupProtocol.wakeWord(ring, slot), "a deferred offer posted the parked subscriber");
        publisher.wakeDeferred();
        waiter.join();
        assertEquals(10, received.get());
        assertEquals(0, SubscriberProbes.timeoutWakeups(subscriber), "the flush did not wake the subscriber");
        publisher.close();
        subscriber.close();
    }

    /**
     * Runs of 1 to 8 messages against a subscriber that parks between them, many times: every message
     * arrives, and no park slice ran out with a message ready and no post (a lost wakeup).
     */
    @Test
    void noWakeupIsLostOverManyRuns() throws Exception {
        TopicConfig config = new TopicConfig().wakeup(true);
        Subscriber subscriber = bus.newSubscriber("t", config, new SubscriberConfig().wakeup(WakeupMode.BLOCKING));
        ShmPublisher publisher = (ShmPublisher) bus.newPublisher("t", config);
        MemorySegment message = Arena.ofAuto().allocate(16);
        int runs = 3_000;
        long[] expected = new long[1];
        AtomicLong received = new AtomicLong();
        long total = 0;
        int[] sizes = new int[runs];
        for (int i = 0; i < runs; i++) {
            sizes[i] = 1 + ThreadLocalRandom.current().nextInt(8);
            total += sizes[i];
        }
        expected[0] = total;
        Thread waiter = Thread.ofPlatform().start(() -> {
            while (received.get() < expected[0]) {
                subscriber.await((type, buffer, offset, length) -> received.incrementAndGet(), 1000, 60_000_000_000L);
            }
        });
        long sent = 0;
        for (int run = 0; run < runs; run++) {
            for (int i = 0; i < sizes[run]; i++) {
                while (publisher.offerDeferringWake(0, message, 0, 16) < 0) {
                    publisher.wakeDeferred();
                    Thread.onSpinWait();
                }
            }
            publisher.wakeDeferred();
            sent += sizes[run];
            while (received.get() < sent) {
                Thread.onSpinWait(); // one run in flight at a time: the subscriber parks between runs
            }
        }
        waiter.join();
        assertEquals(total, received.get());
        assertEquals(0, SubscriberProbes.timeoutWakeups(subscriber), "wakeups lost");
        publisher.close();
        subscriber.close();
    }

    /**
     * {@link ShmPublisher#commitDeferringWake}, as a gateway's importer uses it (claim, copy, commit; one wake
     * per fragment): runs of 1 to 16 claimed messages against a subscriber that parks between them, many
     * times: every message arrives, no park slice ran out with a message ready and no post, and no commit of a
     * run posted the parked subscriber before the run's wake.
     */
    @Test
    void claimedRunsCommittedWithTheWakeDeferredLoseNoWakeup() throws Exception {
        TopicConfig config = new TopicConfig().wakeup(true);
        Subscriber subscriber = bus.newSubscriber("t", config, new SubscriberConfig().wakeup(WakeupMode.BLOCKING));
        ShmPublisher publisher = (ShmPublisher) bus.newPublisher("t", config);
        MemorySegment ring = publisher.buffer();
        long slot = RingDescriptor.cursorOffset(((ShmSubscriber) subscriber).slotIndex());
        int runs = 2_000;
        int[] sizes = new int[runs];
        long total = 0;
        for (int i = 0; i < runs; i++) {
            sizes[i] = 1 + ThreadLocalRandom.current().nextInt(16);
            total += sizes[i];
        }
        long expected = total;
        AtomicLong received = new AtomicLong();
        Thread waiter = Thread.ofPlatform().start(() -> {
            while (received.get() < expected) {
                subscriber.await((type, buffer, offset, length) -> received.incrementAndGet(), 1000, 60_000_000_000L);
            }
        });
        long sent = 0;
        int postedEarly = 0;
        for (int run = 0; run < runs; run++) {
            boolean parked = WakeupProtocol.isParked(ring, slot) && WakeupProtocol.wakeWord(ring, slot) == 0;
            for (int i = 0; i < sizes[run]; i++) {
                long claimed;
                while ((claimed = publisher.tryClaim(7, 24)) < 0) {
                    publisher.wakeDeferred();
                    Thread.onSpinWait();
                }
                publisher.buffer().set(ValueLayout.JAVA_LONG, publisher.payloadOffset(claimed),
                    sent + i);
                publisher.commitDeferringWake(claimed);
            }
            if (parked && WakeupProtocol.wakeWord(ring, slot) != 0) {
                postedEarly++;
            }
            publisher.wakeDeferred();
            sent += sizes[run];
            while (received.get() < sent) {
                Thread.onSpinWait(); // one run in flight at a time: the subscriber parks between runs
            }
        }
        waiter.join();
        assertEquals(total, received.get());
        assertEquals(0, SubscriberProbes.timeoutWakeups(subscriber), "wakeups lost");
        assertEquals(0, postedEarly, "a deferred commit posted the parked subscriber before the run's wake");
        publisher.close();
        subscriber.close();
    }
}
