package io.ringbus.core.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.ring.MessageHandler;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link WakeupMode#SPIN} through {@link Subscriber#await}: by default it busy-spins and never parks
 * or sleeps (a parked thread wakes in microseconds to milliseconds, which is what SPIN is chosen to
 * avoid); an idle strategy set explicitly is still the one used.
 */
class SpinAwaitTest {
    private static final MessageHandler NOTHING = (type, buffer, offset, length) -> { };

    private TempBus temp;
    private Bus bus;

    @BeforeEach
    void open() throws Exception {
        temp = TempBus.open("rb-perf-spin-");
        bus = temp.bus();
    }

    @AfterEach
    void close() {
        temp.close();
    }

    /**
     * The thread's waited count (every park or timed wait of the thread adds one; a spin adds none)
     * does not move over a 50 ms SPIN await on an empty topic, and the subscriber slept in no park slice.
     */
    @Test
    void spinAwaitNeverParksByDefault() {
        Subscriber subscriber = bus.newSubscriber("t", new TopicConfig().wakeup(false),
            new SubscriberConfig().wakeup(WakeupMode.SPIN));
        subscriber.await(NOTHING, 1, 1_000_000L); // compiles nothing in particular: loads the classes used
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long waitedBefore = threads.getThreadInfo(id).getWaitedCount();
        long start = System.nanoTime();
        assertEquals(0, subscriber.await(NOTHING, 1, 50_000_000L));
        long elapsed = System.nanoTime() - start;
        long waited = threads.getThreadInfo(id).getWaitedCount() - waitedBefore;
        assertTrue(elapsed >= 50_000_000L, "await returned before its timeout: " + elapsed + " ns");
        assertEquals(0, waited, "a SPIN await parked or waited " + waited + " times");
        assertEquals(0, SubscriberProbes.slicesSlept(subscriber));
    }

    /** A message committed by another thread while a SPIN await spins is delivered by that await. */
    @Test
    void spinAwaitDeliversAMessageCommittedWhileItSpins() throws Exception {
        TopicConfig config = new TopicConfig().wakeup(false);
        Subscriber subscriber = bus.newSubscriber("t", config, new SubscriberConfig().wakeup(WakeupMode.SPIN));
        Publisher publisher = bus.newPublisher("t", config);
        Thread later = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            publisher.offer(new byte[] {42});
        });
        byte[] got = new byte[1];
        int delivered = subscriber.await((type, buffer, offset, length) -> got[0] = buffer.get(
            java.lang.foreign.ValueLayout.JAVA_BYTE, offset), 1, 10_000_000_000L);
        later.join();
        assertEquals(1, delivered);
        assertEquals(42, got[0]);
    }

    /** An idle strategy set with {@link SubscriberConfig#idleStrategy} is what a SPIN await idles with. */
    @Test
    void anExplicitIdleStrategyIsUsed() {
        AtomicInteger idles = new AtomicInteger();
        IdleStrategy counting = new IdleStrategy() {
            @Override
            public void idle(int workCount) {
                idles.incrementAndGet();
            }

            @Override
            public void idle() {
                idles.incrementAndGet();
            }

            @Override
            public void reset() {
            }
        };
        Subscriber subscriber = bus.newSubscriber("t", new TopicConfig().wakeup(false),
            new SubscriberConfig().wakeup(WakeupMode.SPIN).idleStrategy(() -> counting));
        assertEquals(0, subscriber.await(NOTHING, 1, 5_000_000L));
        assertTrue(idles.get() > 0, "the configured idle strategy was never called");
    }
}
