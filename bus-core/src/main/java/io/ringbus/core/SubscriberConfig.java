package io.ringbus.core;

import java.time.Duration;
import java.util.function.Supplier;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * How a subscriber starts, waits, and is treated when it falls behind. Fluent setters, validated by
 * {@link #conclude()}.
 */
public final class SubscriberConfig {
    private StartPosition start = StartPosition.LATEST;
    private String durableName;
    private boolean explicitCommit;
    private WakeupMode wakeup = WakeupMode.BLOCKING;
    private SlowConsumerPolicy slowConsumerPolicy = SlowConsumerPolicy.BACK_PRESSURE;
    private Duration evictAfter = Duration.ofSeconds(5);
    private LossListener lossListener = (from, to, bytes) -> { };
    private String signal = "USR2";
    private Supplier<IdleStrategy> idleStrategy = BusySpinIdleStrategy::new;
    private boolean adaptiveSpin = true;
    private boolean concluded;

    /**
     * A config with every default: join at the latest position, not durable, commits on every poll,
     * {@link WakeupMode#BLOCKING} waits, {@link SlowConsumerPolicy#BACK_PRESSURE}.
     */
    public SubscriberConfig() {
    }

    /** Where a new subscriber starts; a durable one that exists resumes where it stopped instead. */
    public SubscriberConfig start(StartPosition start) {
        this.start = start;
        return this;
    }

    /**
     * Makes this a durable subscriber: its committed position outlives it (crash, restart) and a
     * subscriber of the same name resumes there, with nothing lost; what can repeat is said under
     * "Commits" in {@link Subscriber}. Up to 32 bytes of UTF-8.
     */
    public SubscriberConfig durableName(String durableName) {
        this.durableName = durableName;
        return this;
    }

    /**
     * Whether what this subscriber consumed moves only on {@link Subscriber#commit()} (true) or as
     * each handler returns (false, the default). For a handler that does not finish a message's work
     * itself, such as one that formats lines into a buffer written later: commit after the write, and
     * a crash at any moment loses nothing (what was delivered after the last commit comes again to
     * a durable successor). An evictable subscriber that is evicted rejoins at what it had delivered,
     * which then counts as committed. Padding (a dead publisher's recovered claim, an aborted claim, the
     * end of the ring) carries nothing to commit and never holds the subscriber: a poll over padding
     * alone, with every delivered message committed, commits itself.
     */
    public SubscriberConfig explicitCommit(boolean explicitCommit) {
        this.explicitCommit = explicitCommit;
        return this;
    }

    /** How {@link Subscriber#await} waits. */
    public SubscriberConfig wakeup(WakeupMode wakeup) {
        this.wakeup = wakeup;
        return this;
    }

    /** Back-pressure publishers (default), or be evicted after {@link #evictAfter} of stalling. */
    public SubscriberConfig slowConsumerPolicy(SlowConsumerPolicy slowConsumerPolicy) {
        this.slowConsumerPolicy = slowConsumerPolicy;
        return this;
    }

    /** How long an evictable subscriber may hold publishers back before it is evicted. */
    public SubscriberConfig evictAfter(Duration evictAfter) {
        this.evictAfter = evictAfter;
        return this;
    }

    /** Told what was missed after an eviction. */
    public SubscriberConfig lossListener(LossListener lossListener) {
        this.lossListener = lossListener;
        return this;
    }

    /** Signal name for {@link WakeupMode#SIGNAL}: USR1, USR2 (default), WINCH... */
    public SubscriberConfig signal(String signal) {
        this.signal = signal;
        return this;
    }

    /**
     * The idle strategy of a {@link WakeupMode#SPIN} subscriber's {@code await}, one per subscriber
     * (Agrona's: {@code BusySpinIdleStrategy} (the default: {@code Thread.onSpinWait}, never a park),
     * {@code YieldingIdleStrategy}, {@code BackoffIdleStrategy}, {@code SleepingIdleStrategy}). One that
     * parks or sleeps costs SPIN its point: a parked thread takes microseconds to milliseconds to run
     * again; a subscriber that may wait long should use {@link WakeupMode#BLOCKING} instead.
     */
    public SubscriberConfig idleStrategy(Supplier<IdleStrategy> idleStrategy) {
        this.idleStrategy = idleStrategy;
        return this;
    }

    /**
     * Whether a {@link WakeupMode#BLOCKING} or {@link WakeupMode#SIGNAL} subscriber's {@code await} polls,
     * before it parks, for about as long as a wakeup costs on this machine (learnt from the wakeups it
     * gets, at most 200 µs, and paused while spinning keeps missing): true, the default. Messages that
     * follow each other closely are then seen at once instead of after a wakeup (tens of microseconds on
     * idle processors), for at most the cost of one wakeup in processor time per wait. A blocking wait
     * whose last waker ran on its own processor parks at once instead (polling there only holds that
     * peer back). False parks after a few polls: the least processor time, every wait pays a wakeup.
     */
    public SubscriberConfig adaptiveSpin(boolean adaptiveSpin) {
        this.adaptiveSpin = adaptiveSpin;
        return this;
    }

    /** Validates; returns this. */
    public SubscriberConfig conclude() {
        if (concluded) {
            return this;
        }
        if (start == null || wakeup == null || slowConsumerPolicy == null || lossListener == null
            || idleStrategy == null) {
            throw new IllegalArgumentException(
                "start, wakeup, slowConsumerPolicy, lossListener and idleStrategy must not be null");
        }
        if (durableName != null) {
            int bytes = durableName.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes == 0 || bytes > 32) {
                throw new IllegalArgumentException("durable name '" + durableName + "' must be 1 to 32 bytes of UTF-8");
            }
        }
        if (evictAfter == null || evictAfter.isNegative() || evictAfter.isZero()) {
            throw new IllegalArgumentException("evictAfter must be a positive duration");
        }
        concluded = true;
        return this;
    }

    /** Where a new subscriber starts: {@link StartPosition#LATEST} unless set. Never null once concluded. */
    public StartPosition start() {
        return start;
    }

    /** The durable name, or null for a subscriber whose position ends with it. */
    public String durableName() {
        return durableName;
    }

    /** Whether the subscriber's position moves only on {@link Subscriber#commit()}; false unless set. */
    public boolean explicitCommit() {
        return explicitCommit;
    }

    /** How {@link Subscriber#await} waits: {@link WakeupMode#BLOCKING} unless set. */
    public WakeupMode wakeup() {
        return wakeup;
    }

    /** What a stalled subscriber does to publishers: {@link SlowConsumerPolicy#BACK_PRESSURE} unless set. */
    public SlowConsumerPolicy slowConsumerPolicy() {
        return slowConsumerPolicy;
    }

    /**
     * How long an evictable subscriber may hold publishers back before they evict it: 5 s unless set;
     * positive once concluded. Ignored under {@link SlowConsumerPolicy#BACK_PRESSURE}.
     */
    public Duration evictAfter() {
        return evictAfter;
    }

    /** Told what an evicted subscriber missed; does nothing unless set. Never null once concluded. */
    public LossListener lossListener() {
        return lossListener;
    }

    /** The signal's name (without {@code SIG}) that {@link WakeupMode#SIGNAL} waits for: USR2 unless set. */
    public String signal() {
        return signal;
    }

    /** Whether a blocking or signal {@code await} spins for a learnt wakeup's cost before parking: true unless set. */
    public boolean adaptiveSpin() {
        return adaptiveSpin;
    }

    /** A new idle strategy for one subscriber. */
    public IdleStrategy newIdleStrategy() {
        return idleStrategy.get();
    }
}
