package io.ringbus.transport.bridge;

import io.ringbus.core.os.Futex;
import io.ringbus.core.os.FutexVector;
import io.ringbus.core.topic.ShmSubscriber;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.Selector;
import java.util.function.Consumer;

/**
 * The thread that waits for the rings of an {@link EventLoop}'s idle subscriptions while the loop waits in
 * its selector for sockets: one {@code futex_waitv} over the wake words of up to 127 parked subscriptions
 * (one per topic: every idle subscription of a topic is at its tail, so one word tells for all) and a
 * doorbell word. A publisher that commits posts a parked word and wakes this thread, which wakes the loop's
 * selector. Why a second thread: no system call waits for both a socket and a futex word, and the
 * alternatives cost more (a thread per subscriber; or a loop that polls every ring on a timer, which costs
 * CPU while idle and up to its period in latency). The cost is a wakeup more on the way from a ring to a
 * client once the loop has gone idle: a closed-loop round trip (unix, 64 B, p50) took 9-11 us through the
 * loops against about 7 us on dedicated threads at a load average of 3, and 85-130 us against 9 us at a load
 * average of 9 to 19 (bus-transport README); hence {@link BridgeContext#dedicatedThreads} for the first
 * connections.
 *
 * <p>Protocol: the loop fills the words ({@link #words()}, entry 0 the doorbell), {@link #arm()}s, selects,
 * then {@link #disarm()}s (withdrawing the words). The doorbell is a generation (odd while armed); the
 * watcher copies the words under the lock when it sees an odd generation, waits, and wakes the selector only
 * if that generation is still the current one, then waits for the next one.
 */
final class RingWatch implements Runnable {
    private static final long SLICE_NANOS = 100_000_000L;

    private final Selector selector;
    private final Consumer<String> log;
    private final MemorySegment doorbell = Arena.ofAuto().allocate(ValueLayout.JAVA_INT);
    private final FutexVector words = new FutexVector();
    private final FutexVector waiting = new FutexVector();
    private final Object lock = new Object();
    private volatile boolean closed;
    private final Thread thread;
    private int generation;
    /** The armed generation in which the watcher last saw a word posted and woke the selector. */
    private volatile int wokeIn = -1;

    RingWatch(Selector selector, String name, Consumer<String> log) {
        this.selector = selector;
        this.log = log;
        this.thread = Thread.ofPlatform().daemon().name(name).start(this);
    }

    /** Starts a new set of words: the doorbell first. Loop thread. */
    FutexVector words() {
        words.clear();
        words.add(doorbell, 0, generation + 1);
        return words;
    }

    /** Adds a subscription's word; false when it cannot be waited for (full, or no wakeup on its topic). */
    boolean add(ShmSubscriber subscriber) {
        return subscriber.announceLoopPark(words);
    }

    /** Lets the watcher wait on the words set since {@link #words()}; returns the generation armed. Loop thread. */
    int arm() {
        int armed;
        synchronized (lock) {
            armed = ++generation;
            doorbell.set(ValueLayout.JAVA_INT, 0, generation);
        }
        Futex.wake(doorbell, 0, 1);
        return armed;
    }

    /**
     * Whether the watcher saw a word posted while {@code armed} (what {@link #arm()} returned) was the
     * armed generation, and woke the selector: a wait that then lasted its whole slice was a late
     * wakeup (threads not scheduled on a loaded machine), not a lost one.
     */
    boolean woke(int armed) {
        return wokeIn == armed;
    }

    /**
     * Ends the wait of the last {@link #arm()}. Loop thread. Without a wake: a watcher still waiting on the old
     * words is harmless (they are withdrawn, so no publisher posts them; one that raced finds the generation
     * moved on and wakes nobody), and the next {@link #arm()} changes the doorbell and wakes it. A wake here
     * would schedule the watcher once more per park, on a machine where every wakeup counts.
     */
    void disarm() {
        synchronized (lock) {
            generation++;
            doorbell.set(ValueLayout.JAVA_INT, 0, generation);
        }
    }

    @Override
    public void run() {
        while (!closed) {
            int armed;
            synchronized (lock) {
                armed = generation;
                if ((armed & 1) == 1) {
                    copyWords();
                }
            }
            if ((armed & 1) == 0) {
                Futex.wait(doorbell, 0, armed, SLICE_NANOS);
                continue;
            }
            int result = waiting.await(SLICE_NANOS);
            if (result == -110) { // ETIMEDOUT: still armed, wait again
                continue;
            }
            if (result == -38) { // ENOSYS: no futex_waitv (Linux before 5.16)
                log.accept("futex_waitv is missing (Linux 5.16 or later needed): idle subscriptions are polled");
                closed = true;
                selector.wakeup();
                return;
            }
            if (currentGeneration() == armed) {
                wokeIn = armed;
                selector.wakeup(); // a word was posted (or its memory is gone): the loop polls
                Futex.wait(doorbell, 0, armed, SLICE_NANOS);
            }
        }
    }

    private void copyWords() {
        waiting.clear();
        waiting.copyFrom(words);
    }

    private int currentGeneration() {
        synchronized (lock) {
            return generation;
        }
    }

    /** Whether the watcher waits for rings (false once futex_waitv proved missing, or after close). */
    boolean usable() {
        return !closed;
    }

    void close() {
        closed = true;
        Futex.wake(doorbell, 0, 1);
        try {
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
