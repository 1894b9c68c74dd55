package io.ringbus.core.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.os.CurrentCpu;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A blocking subscriber learns what its wakeups cost from the publishers' post stamps, and then polls
 * for a budget made of it before it parks. With {@link SubscriberConfig#adaptiveSpin(boolean) adaptiveSpin(false)}
 * no wait ever ends in the spin. Every round trip completes either way: the spin only precedes the
 * wakeup protocol, which stays as it was.
 */
class AdaptiveSpinTest {
    private static final int ROUND_TRIPS = 2_000;

    private TempBus temp;
    private Bus bus;

    @BeforeEach
    void open() throws Exception {
        temp = TempBus.open("rb-adaptive-spin-");
        bus = temp.bus();
    }

    @AfterEach
    void close() {
        temp.close();
    }

    /**
     * Whether a spin catches a reply depends on how busy the machine is (on two loaded cores the peer
     * thread is often not running at all, and the budget pauses itself): that is a benchmark's question
     * ({@code ./bus bench wakeup}). What must hold with the two sides on two processors: the cost was learnt,
     * waits spun the learnt budget, and every round trip completed. (Sides that share a processor park at
     * once instead, {@link #sidesOnOneProcessorParkAtOnce}; left to the scheduler on a loaded machine, they
     * share one often enough that no wait of a run may spin.)
     */
    @Test
    void aBlockingPingPongLearnsTheWakeCostAndSpinsItsBudget() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "one processor");
        Subscriber[] pinger = pinned(0, 1);
        long learnt = SubscriberProbes.learntWakeCostNanos(pinger[0]);
        assertTrue(learnt > 0 && learnt <= SpinBudget.MAX_SAMPLE_NANOS, "learnt wake cost " + learnt + " ns");
        long spins = 0;
        for (Subscriber subscriber : pinger) {
            spins += SubscriberProbes.spinHits(subscriber) + SubscriberProbes.spinMisses(subscriber);
        }
        assertTrue(spins > 0, "no wait out of " + 2 * ROUND_TRIPS + " spun the learnt budget (" + learnt + " ns)");
    }

    @Test
    void withoutAdaptiveSpinNoWaitSpinsBeforeItParks() throws Exception {
        Subscriber[] pinger = pingPong(false);
        for (Subscriber subscriber : pinger) {
            assertEquals(0, SubscriberProbes.spinHits(subscriber) + SubscriberProbes.spinMisses(subscriber));
        }
        assertTrue(SubscriberProbes.slicesSlept(pinger[0]) > 0, "the pinger never parked");
    }

    /**
     * Both sides kept on one processor (what a busy process beside makes of a ping-pong on two): each wakeup
     * finds its waker on its own processor, so the waits after it park at once, without their polls and spin
     * (which would only hold back the peer queued behind them). The rule is exact here: every post is stamped
     * with processor 0 and every woken thread runs on 0.
     */
    @Test
    void sidesOnOneProcessorParkAtOnce() throws Exception {
        Subscriber[] pinger = pinned(0, 0);
        for (Subscriber subscriber : pinger) {
            long atOnce = ((ShmSubscriber) subscriber).parkedAtOnce;
            assertTrue(atOnce > ROUND_TRIPS / 2, "waits that parked at once: " + atOnce + " of " + ROUND_TRIPS);
            assertTrue(((ShmSubscriber) subscriber).sharedCore.parkAtOnce());
        }
    }

    /** Sides on two processors: no wakeup finds its waker on its own processor, so no wait parks at once. */
    @Test
    void sidesOnTwoProcessorsNeverParkAtOnce() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "one processor");
        Subscriber[] pinger = pinned(0, 1);
        for (Subscriber subscriber : pinger) {
            assertEquals(0, ((ShmSubscriber) subscriber).parkedAtOnce);
        }
        assertTrue(SubscriberProbes.slicesSlept(pinger[0]) + SubscriberProbes.slicesSlept(pinger[1]) > 0,
            "no side ever parked: nothing was decided");
    }

    /** {@link #pingPong} with the pinger's thread on {@code pingCpu} and the ponger's on {@code pongCpu}. */
    private Subscriber[] pinned(int pingCpu, int pongCpu) throws Exception {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread pinger = Thread.ofPlatform().start(() -> {
            try {
                assertTrue(CurrentCpu.pinThisThread(pingCpu));
                outcome.set(pingPong(true, pongCpu));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        pinger.join();
        if (outcome.get() instanceof Throwable t) {
            throw new AssertionError("the pinned ping-pong failed", t);
        }
        return (Subscriber[]) outcome.get();
    }

    private Subscriber[] pingPong(boolean adaptiveSpin) throws Exception {
        return pingPong(adaptiveSpin, -1);
    }

    /**
     * ROUND_TRIPS round trips of a sequence number, the ponger's thread kept on {@code pongCpu} (-1: anywhere);
     * returns {pinger's subscriber, ponger's subscriber}.
     */
    private Subscriber[] pingPong(boolean adaptiveSpin, int pongCpu) throws Exception {
        TopicConfig topic = new TopicConfig().wakeup(true);
        SubscriberConfig blocking = new SubscriberConfig().wakeup(WakeupMode.BLOCKING).adaptiveSpin(adaptiveSpin);
        Subscriber pings = bus.newSubscriber("ping", topic, blocking);
        Subscriber pongs = bus.newSubscriber("pong", topic,
            new SubscriberConfig().wakeup(WakeupMode.BLOCKING).adaptiveSpin(adaptiveSpin));
        Publisher pingPublisher = bus.newPublisher("ping", topic);
        Publisher pongPublisher = bus.newPublisher("pong", topic);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread ponger = Thread.ofPlatform().start(() -> {
            try {
                if (pongCpu >= 0 && !CurrentCpu.pinThisThread(pongCpu)) {
                    throw new IllegalStateException("cannot keep the ponger on processor " + pongCpu);
                }
                long[] last = {-1};
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    while (pings.await((type, buffer, offset, length) -> last[0] = read(buffer, offset), 1,
                        5_000_000_000L) == 0) {
                        if (failure.get() != null) {
                            return;
                        }
                    }
                    byte[] echo = new byte[8];
                    MemorySegment.ofArray(echo).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, last[0]);
                    while (pongPublisher.offer(echo) < 0) {
                        Thread.onSpinWait();
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        long[] echoed = {-1};
        byte[] message = new byte[8];
        for (long i = 0; i < ROUND_TRIPS && failure.get() == null; i++) {
            MemorySegment.ofArray(message).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, i);
            while (pingPublisher.offer(message) < 0) {
                Thread.onSpinWait();
            }
            assertEquals(1, pongs.await((type, buffer, offset, length) -> echoed[0] = read(buffer, offset), 1,
                10_000_000_000L), "no echo of round trip " + i + " within 10 s");
            assertEquals(i, echoed[0]);
        }
        ponger.join(10_000);
        if (failure.get() != null) {
            throw new AssertionError("the ponger failed", failure.get());
        }
        return new Subscriber[] {pongs, pings};
    }

    private static long read(MemorySegment buffer, long offset) {
        return buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
    }
}
