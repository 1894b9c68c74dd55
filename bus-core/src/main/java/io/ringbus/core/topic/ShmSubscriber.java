package io.ringbus.core.topic;

import io.ringbus.core.CorruptRingException;
import io.ringbus.core.LostPages;
import io.ringbus.core.RingBusException;
import io.ringbus.core.SlowConsumerPolicy;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.os.CurrentCpu;
import io.ringbus.core.os.Futex;
import io.ringbus.core.os.FutexVector;
import io.ringbus.core.ring.CursorDescriptor;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.internal.Memory;
import io.ringbus.core.ring.internal.RingSlots;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.IdleStrategy;

/**
 * A subscriber on a shared-memory topic: a ring cursor slot owned through an OS-released lock, with
 * the bus layer's fields in the slot's extension ({@link SubscriberSlotDescriptor}).
 *
 * <p><b>Waiting.</b> {@link #await} spins for a while (in blocking and signal modes a few polls, then
 * as long as a wakeup costs, learnt by {@link SpinBudget}; in blocking mode not at all while the publisher
 * that last woke it shared its processor, {@link SharedCore}), then (blocking and signal modes) announces
 * itself parked, polls once more, and sleeps on its futex word or until a signal; a publisher that
 * commits after the announcement sees it (both sides use a full fence between their store and
 * their load), so no wakeup is lost. Sleeps are cut into {@link #CHECK_INTERVAL_NANOS} slices so
 * that a subscriber stuck behind a dead publisher's claim notices it.
 *
 * <p><b>Commits.</b> A durable subscriber with automatic commits stores its cursor after each
 * message (so a successor repeats at most the message in hand at a crash); one with
 * {@link SubscriberConfig#explicitCommit explicit commits} polls in batches like any other and
 * stores its cursor on {@link #commit()} alone.
 */
public final class ShmSubscriber implements Subscriber {
    /** How often a waiting subscriber checks whether a dead publisher holds it up. */
    static final long CHECK_INTERVAL_NANOS = 100_000_000L;
    private static final int SPINS_BEFORE_PARK = 20;
    /** A SPIN await reads the clock once per this many empty polls, plus one. */
    private static final int SPIN_CHECK_MASK = 63;

    private final TopicFile topic;
    private final Ring ring;
    private final MemorySegment ringSegment;
    private final SubscriberConfig config;
    private final long slotOffset;
    private final int slotIndex;
    private final boolean durable;
    private final boolean evictable;
    private final boolean explicitCommit;
    private final Runnable onClose;
    private final RingReader reader;
    /** Strips the publish time off each message of a timestamped topic; null on other topics. */
    private final PublishTimes publishTimes;
    private final IdleStrategy idleStrategy;
    final SpinBudget spinBudget;
    final SharedCore sharedCore;
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile boolean closeRequested;
    private volatile boolean awaiting;
    private volatile Thread waiter;
    private long missedBytes;
    private final DeadPublisherWatch deadPublisherWatch;
    private int emptyPolls;
    /** Wakeup accounting for tests: park slices this subscriber slept in (futex wait or thread park). */
    long slicesSlept;
    /** Wakeup accounting for tests: waits that a spin of the learnt budget ended, with no park. */
    long spinHits;
    /** Wakeup accounting for tests: spins of the learnt budget that ran out, followed by a park. */
    long spinMisses;
    /** Wakeup accounting for tests: waits that parked at once, their last waker having shared the processor. */
    long parkedAtOnce;
    /**
     * Wakeup accounting for tests: slices that ran out their timeout after which a message was ready
     * and no publisher had posted the wake word. Such a message was committed while this subscriber
     * slept announced as parked, so its publisher should have posted and woken it: each one is a
     * wakeup that came from the safety slice instead (or from a publisher stalled between its commit
     * and its post for a whole slice).
     */
    long timeoutWakeups;
    /**
     * Wakeup accounting for tests: like {@link #timeoutWakeups}, but the wake word had been posted:
     * the publisher's wake (futex wake or signal) did not end the sleep before the slice did.
     */
    long lateWakeups;

    /** Takes a subscriber slot of {@code topic} (or resumes a durable one). */
    public ShmSubscriber(TopicFile topic, SubscriberConfig config, Runnable onClose) {
        this.topic = topic;
        this.ring = topic.ring();
        this.ringSegment = ring.segment();
        this.config = config.conclude();
        this.durable = config.durableName() != null;
        this.evictable = config.slowConsumerPolicy() == SlowConsumerPolicy.EVICT;
        this.explicitCommit = config.explicitCommit();
        this.onClose = onClose;
        this.idleStrategy = config.newIdleStrategy();
        this.spinBudget = new SpinBudget(config.adaptiveSpin());
        this.sharedCore = new SharedCore(config.adaptiveSpin() && config.wakeup() == WakeupMode.BLOCKING);
        this.deadPublisherWatch = new DeadPublisherWatch(topic, CHECK_INTERVAL_NANOS);
        this.publishTimes = topic.timestamps() ? new PublishTimes(topic) : null;
        if (config.wakeup() != WakeupMode.SPIN && !topic.wakeup()) {
            throw new RingBusException("Topic '" + topic.name() + "' was created without wakeup support, so a "
                + config.wakeup() + " subscriber would never be woken. Use WakeupMode.SPIN, or recreate the topic"
                + " with TopicConfig.wakeup(true).");
        }
        SubscriberSlots.Choice choice = SubscriberSlots.choose(topic, this.config);
        this.slotIndex = choice.index();
        this.slotOffset = RingDescriptor.cursorOffset(slotIndex);
        try {
            SubscriberSlots.writeFields(ringSegment, slotOffset, this.config);
            this.reader = choice.resume()
                ? resume()
                : RingSlots.join(ring, slotIndex, config.start() == StartPosition.EARLIEST, evictable);
            if (explicitCommit) {
                reader.deferCommits();
            }
        } catch (RuntimeException e) {
            topic.file().unlockByte(TopicDescriptor.subscriberLockByte(slotIndex));
            Memory.casInt(ringSegment, slotOffset + CursorDescriptor.STATE_OFFSET, CursorDescriptor.JOINING,
                CursorDescriptor.FREE);
            throw e;
        }
    }

    private RingReader resume() {
        int state = Memory.getIntVolatile(ringSegment, slotOffset + CursorDescriptor.STATE_OFFSET);
        if (state == SubscriberSlotDescriptor.EVICTED) {
            RingReader rejoined = RingSlots.attachEvicted(ring, slotIndex, evictable);
            noteLoss(rejoined.position(), rejoined.rejoin());
            return rejoined;
        }
        return RingSlots.attach(ring, slotIndex, evictable);
    }

    /**
     * The topic file this subscriber reads. Two subscribers of one topic name in one process read different
     * files when the file was removed, and made anew, between their joins (see {@code Bus}).
     */
    public TopicFile topicFile() {
        return topic;
    }

    @Override
    public int poll(MessageHandler handler, int limit) {
        if (closeRequested) {
            return 0;
        }
        try {
            MessageHandler through = publishTimes == null ? handler : publishTimes.around(handler);
            int delivered = durable && !explicitCommit ? pollEach(through, limit) : reader.poll(through, limit);
            if (delivered > 0) {
                if (evictable) {
                    clearStall();
                }
                return delivered;
            }
            afterEmptyPoll();
            return 0;
        } catch (InternalError fault) {
            throw LostPages.typed(fault, topic.path());
        }
    }

    /** Durable subscribers move their cursor after every message, so a successor never repeats one. */
    private int pollEach(MessageHandler handler, int limit) {
        int delivered = 0;
        while (delivered < limit && reader.poll(handler, 1) == 1) {
            delivered++;
        }
        return delivered;
    }

    private void clearStall() {
        long stall = slotOffset + SubscriberSlotDescriptor.STALL_SINCE_OFFSET;
        if (ringSegment.get(ValueLayout.JAVA_LONG, stall) != 0) {
            Memory.setLongRelease(ringSegment, stall, 0L);
        }
    }

    private void afterEmptyPoll() {
        if (evictable && (reader.overrun() || reader.slotState() == SubscriberSlotDescriptor.EVICTED)) {
            long before = reader.position();
            noteLoss(before, reader.rejoin());
            clearStall();
            return;
        }
        if ((++emptyPolls & 1023) == 0) {
            deadPublisherWatch.check(reader.position());
        }
    }

    private void noteLoss(long before, long skipped) {
        if (skipped > 0) {
            missedBytes += skipped;
            config.lossListener().onLoss(before, before + skipped, skipped);
        }
    }

    @Override
    public int await(MessageHandler handler, int limit, long timeoutNanos) {
        long started = System.nanoTime();
        long deadline = started + Math.max(0, timeoutNanos);
        awaiting = true;
        waiter = Thread.currentThread();
        try {
            if (config.wakeup() == WakeupMode.SPIN) {
                return spin(handler, limit, deadline);
            }
            int fixedPolls = SPINS_BEFORE_PARK;
            if (sharedCore.parkAtOnce()) {
                fixedPolls = 1; // one poll (a message already there costs no announcement), then park
                parkedAtOnce++;
            }
            for (int spin = 0; spin < fixedPolls && !closeRequested; spin++) {
                int delivered = poll(handler, limit);
                if (delivered > 0) {
                    return delivered;
                }
                if (System.nanoTime() - deadline >= 0) {
                    return 0;
                }
                Thread.onSpinWait();
            }
            long budget = fixedPolls == SPINS_BEFORE_PARK ? spinBudget.nanos() : 0;
            if (budget > 0) {
                int delivered = spinForBudget(handler, limit, started, deadline, budget);
                if (delivered != 0) {
                    return Math.max(delivered, 0);
                }
            }
            while (!closeRequested && !Thread.currentThread().isInterrupted()) {
                int delivered = parkOnce(handler, limit, started, deadline);
                if (delivered > 0) {
                    return delivered;
                }
                if (deadline - System.nanoTime() <= 0) {
                    return 0;
                }
                deadPublisherWatch.check(reader.position());
            }
            return 0;
        } catch (InternalError fault) {
            throw LostPages.typed(fault, topic.path());
        } finally {
            awaiting = false;
            waiter = null;
            if (closeRequested) {
                release();
            }
        }
    }

    /**
     * SPIN: poll, idle through the idle strategy (by default a busy spin with {@code Thread.onSpinWait},
     * which never parks), poll again. The clock and the interrupt flag are read after the first empty
     * poll and then every {@link #SPIN_CHECK_MASK} + 1: a clock read costs about what an empty poll does,
     * and a message must be seen as soon as it is committed. The dead-publisher check rides on
     * {@link #poll}'s own count of empty polls.
     */
    private int spin(MessageHandler handler, int limit, long deadline) {
        IdleStrategy idle = idleStrategy;
        idle.reset();
        int spins = 0;
        while (!closeRequested) {
            int delivered = poll(handler, limit);
            if (delivered > 0) {
                return delivered;
            }
            if ((spins++ & SPIN_CHECK_MASK) == 0
                && (deadline - System.nanoTime() <= 0 || Thread.currentThread().isInterrupted())) {
                return 0;
            }
            idle.idle();
        }
        return 0;
    }

    /**
     * Polls until {@code budget} nanoseconds after the wait {@code started}: on its core for as long as
     * replies from a running peer take ({@link SpinBudget#busyNanos}), then yielding the processor between
     * polls. Returns what was delivered, 0 to go on and park, or -1 when the wait is over (deadline,
     * interrupt) with nothing delivered.
     */
    private int spinForBudget(MessageHandler handler, int limit, long started, long deadline, long budget) {
        long spinUntil = started + budget;
        long yieldFrom = started + spinBudget.busyNanos(budget);
        int polls = 0;
        while (!closeRequested) {
            int delivered = poll(handler, limit);
            if (delivered > 0) {
                spinBudget.onHit(System.nanoTime() - started);
                spinHits++;
                return delivered;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0 || ((polls++ & SPIN_CHECK_MASK) == 0 && Thread.currentThread().isInterrupted())) {
                return -1;
            }
            if (now - spinUntil >= 0) {
                spinBudget.onMiss();
                spinMisses++;
                return 0;
            }
            if (now - yieldFrom < 0) {
                Thread.onSpinWait(); // a reply from a peer that is running comes within this
            } else {
                // Then yield: with fewer cores than runnable threads (2 here), a spinner that kept its core
                // held back the very peer whose reply it waited for, and missed every time (0 hits in 2,000
                // in-process round trips at a load of 4; the bridge's SpinBeforeWait learnt the same).
                Thread.yield();
            }
        }
        return -1;
    }

    /**
     * Announce parked, poll once more, sleep one slice unless posted, withdraw the announcement. A wakeup
     * by a post teaches the spin budget what it cost and when, after the wait {@code started}, it came.
     */
    private int parkOnce(MessageHandler handler, int limit, long started, long deadline) {
        long word = slotOffset + SubscriberSlotDescriptor.WAKE_WORD_OFFSET;
        WakeupProtocol.announceParked(ringSegment, slotOffset, topic.segment());
        boolean timedOut = false;
        boolean posted = false;
        long wokenAt = 0;
        int wokenCpu = -1;
        try {
            int delivered = poll(handler, limit);
            if (delivered > 0 || closeRequested) {
                return delivered;
            }
            long slice = Math.min(CHECK_INTERVAL_NANOS, deadline - System.nanoTime());
            if (slice > 0) {
                slicesSlept++;
                if (config.wakeup() == WakeupMode.SIGNAL) {
                    SignalWakeups.parking(Thread.currentThread());
                    try {
                        if (Memory.getIntVolatile(ringSegment, word) == 0) {
                            long start = System.nanoTime();
                            LockSupport.parkNanos(this, slice);
                            wokenAt = System.nanoTime();
                            timedOut = wokenAt - start >= slice;
                        }
                    } finally {
                        SignalWakeups.unparked(Thread.currentThread());
                    }
                } else {
                    Futex.WaitResult result = Futex.wait(ringSegment, word, 0, slice);
                    if (result == Futex.WaitResult.WOKEN) {
                        wokenAt = System.nanoTime();
                        wokenCpu = CurrentCpu.id(); // before anything else: where the wakeup put this thread
                    }
                    timedOut = result == Futex.WaitResult.TIMED_OUT;
                }
            }
        } finally {
            posted = WakeupProtocol.withdrawParked(ringSegment, slotOffset, topic.segment());
        }
        if (posted && wokenAt != 0 && !timedOut) {
            // After the CAS that consumed the post: the stamp the posting publisher stored before it.
            long postedAt = ringSegment.get(ValueLayout.JAVA_LONG,
                slotOffset + SubscriberSlotDescriptor.POST_TIME_OFFSET);
            spinBudget.onWoken(wokenAt - postedAt);
            spinBudget.onArrival(postedAt - started);
            sharedCore.onWoken(ringSegment.get(ValueLayout.JAVA_INT,
                slotOffset + SubscriberSlotDescriptor.POST_CPU_OFFSET) - 1, wokenCpu);
        }
        int delivered = poll(handler, limit);
        if (timedOut && delivered > 0) {
            if (posted) {
                lateWakeups++;
            } else {
                timeoutWakeups++;
            }
        }
        return delivered;
    }

    /**
     * For an event loop that waits for many subscribers with one thread (a bridge): announces this subscriber
     * parked, as {@link #await} does before its last poll, and adds its wake word to {@code words}, so that a
     * publisher committing from now on posts and wakes it. The caller then polls once more (a message
     * committed before the announcement is seen there), waits on {@code words}, and calls
     * {@link #withdrawLoopPark()} before polling again or closing. Not with {@link #await} on another thread.
     *
     * @return false (nothing announced: poll this subscriber instead of waiting) when {@code words} is full,
     *     or the topic has no wakeup support (its publishers never look for parked subscribers)
     */
    public boolean announceLoopPark(FutexVector words) {
        long word = slotOffset + SubscriberSlotDescriptor.WAKE_WORD_OFFSET;
        if (!topic.wakeup() || closeRequested || !words.add(ringSegment, word, 0)) {
            return false;
        }
        WakeupProtocol.announceParked(ringSegment, slotOffset, topic.segment());
        return true;
    }

    /** Withdraws {@link #announceLoopPark}; returns whether a publisher posted this subscriber meanwhile. */
    public boolean withdrawLoopPark() {
        try {
            return WakeupProtocol.withdrawParked(ringSegment, slotOffset, topic.segment());
        } catch (InternalError fault) {
            throw LostPages.typed(fault, topic.path());
        }
    }

    /**
     * For an event loop that polls instead of {@link #await}ing: checks now and then (at most every
     * {@link #CHECK_INTERVAL_NANOS}) whether a dead publisher's claim holds this subscriber up, and pads it.
     */
    public void checkHeldUp() {
        if (closeRequested) {
            return;
        }
        try {
            deadPublisherWatch.check(reader.position());
        } catch (InternalError fault) {
            throw LostPages.typed(fault, topic.path());
        }
    }

    /** Wakes this subscriber's own waiter (used by close from another thread). */
    private void wakeSelf() {
        long word = slotOffset + SubscriberSlotDescriptor.WAKE_WORD_OFFSET;
        Memory.casInt(ringSegment, word, 0, 1);
        Futex.wake(ringSegment, word, 1);
        Thread thread = waiter;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void commit() {
        if (!explicitCommit) {
            return;
        }
        synchronized (released) {
            if (released.get()) {
                return; // the slot may be a successor's already
            }
            try {
                reader.commit();
            } catch (InternalError fault) {
                throw LostPages.typed(fault, topic.path());
            }
        }
    }

    /**
     * With {@link SubscriberConfig#explicitCommit explicit commits}: commits the first
     * {@code messages} messages delivered since the last commit, not the rest. A bridge commits so for
     * a stream client that has consumed part of what was forwarded to it. Does nothing after close.
     *
     * @throws IllegalArgumentException when fewer messages were delivered since the last commit
     */
    public void commitMessages(long messages) {
        if (!explicitCommit) {
            return;
        }
        synchronized (released) {
            if (released.get()) {
                return;
            }
            try {
                reader.commitMessages(messages); // false: evicted, and the next poll rejoins past them
            } catch (InternalError fault) {
                throw LostPages.typed(fault, topic.path());
            }
        }
    }

    @Override
    public long position() {
        return reader.position();
    }

    @Override
    public long publishTime() {
        return publishTimes == null ? NO_PUBLISH_TIME : publishTimes.last;
    }

    @Override
    public long missedBytes() {
        return missedBytes;
    }

    /** Index of this subscriber's slot. */
    public int slotIndex() {
        return slotIndex;
    }

    @Override
    public void close() {
        closeRequested = true;
        if (awaiting) {
            wakeSelf();
            if (awaiting) {
                return;
            }
        }
        release();
    }

    private void release() {
        synchronized (released) { // not in the middle of a commit
            if (!released.compareAndSet(false, true)) {
                return;
            }
        }
        long lockByte = TopicDescriptor.subscriberLockByte(slotIndex);
        try {
            if (durable) {
                RingSlots.detach(reader);
            } else {
                reader.close();
            }
            topic.file().unlockByte(lockByte); // a system call: where a fault of the store above is delivered
        } catch (InternalError truncated) {
            // Another process truncated the file: the slot is gone with it. Closing never throws for that.
            topic.file().unlockByte(lockByte); // idempotent: a no-op if the call above got that far
        }
        onClose.run();
    }

    /**
     * The handler a timestamped topic's records go through: notes the publish time at the start of the
     * record's payload and hands the rest on. One per subscriber, re-aimed at each poll's handler (nothing
     * allocated per message or per poll).
     */
    private static final class PublishTimes implements MessageHandler {
        private final TopicFile topic;
        private MessageHandler handler;
        long last = NO_PUBLISH_TIME;

        PublishTimes(TopicFile topic) {
            this.topic = topic;
        }

        MessageHandler around(MessageHandler target) {
            this.handler = target;
            return this;
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            if (length < TopicDescriptor.TIMESTAMP_LENGTH) {
                // Every publisher of this topic writes a publish time: something else wrote this record.
                throw new CorruptRingException("Topic file " + topic.path() + " has timestamps, but a record of "
                    + length + " bytes has no room for one. Remove the file (no process may be using it) and let"
                    + " the creator make it again.");
            }
            last = buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
            handler.onMessage(typeId, buffer, offset + TopicDescriptor.TIMESTAMP_LENGTH,
                length - TopicDescriptor.TIMESTAMP_LENGTH);
        }
    }
}
