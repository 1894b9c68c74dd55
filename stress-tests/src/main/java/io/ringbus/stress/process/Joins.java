package io.ringbus.stress.process;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code sub-join} fault: a subscriber joins the main topic while its publishers run flat out,
 * reads for a while and leaves, each choice drawn from the run's seed:
 *
 * <ul>
 *   <li>a joiner at {@code earliest} (the oldest message still in the ring, which publishers are
 *       about to overwrite) or at {@code latest}: reads for 0.2 to 3 s, then leaves by closing or by
 *       kill -9;</li>
 *   <li>the durable joiner: its first join (at earliest or latest) makes it stay; each later one makes
 *       it leave (close, or kill -9) and come back 0.05 to 2 s later, resuming where it was (the
 *       publishers wait for it meanwhile, by design).</li>
 * </ul>
 *
 * <p>What each must receive is noted when it joins ({@link MainTopic}); a joiner that stops receiving
 * meanwhile is found by the {@link HangWatch}, and whatever it received is checked message by message
 * like any subscriber's. A joiner does not leave while it, or a publisher, has been stalled for more
 * than a second: it waits until they move again or the hang watch reports them (and kills the joiner),
 * so that a leave cannot hide a hang.
 */
final class Joins {
    private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(10);
    private static final long STALLED_NANOS = 1_000_000_000L;

    private final MainTopic topic;
    private final HangWatch hangs;
    private final Tallies tallies;
    private final Findings findings;
    private final EventLog log;
    private final SplittableRandom random;

    Joins(MainTopic topic, HangWatch hangs, Tallies tallies, Findings findings, EventLog log, long seed) {
        this.topic = topic;
        this.hangs = hangs;
        this.tallies = tallies;
        this.findings = findings;
        this.log = log;
        this.random = new SplittableRandom(seed);
    }

    /** One join, its reading time and its leave. */
    void run() {
        switch (random.nextInt(3)) {
            case 0 -> joiner("earliest");
            case 1 -> joiner("latest");
            default -> durable();
        }
    }

    private void joiner(String start) {
        long dwell = random.nextLong(200, 3000);
        boolean kill = random.nextBoolean();
        MainTopic.Sub joiner = topic.startJoiner(start);
        tallies.injected(FaultKind.SUB_JOIN);
        tallies.join(start, 1);
        try {
            sleep(dwell);
            leave(joiner, kill);
        } finally {
            if (joiner.child.isAlive()) {
                joiner.child.kill9();
            }
            topic.joinerLeft(joiner);
        }
    }

    private void durable() {
        int role = topic.durableJoinerRole();
        MainTopic.Sub current = topic.currentSub(role);
        String start = random.nextBoolean() ? "earliest" : "latest";
        boolean kill = random.nextBoolean();
        long away = random.nextLong(50, 2000);
        long dwell = random.nextLong(200, 3000);
        if (current == null) {
            topic.startSubscriber(role, start);
            tallies.injected(FaultKind.SUB_JOIN);
            tallies.join("durable_first_at_" + start, 1);
            sleep(dwell);
            return;
        }
        if (!current.live()) {
            return; // being replaced (after a hang, say): the run's healing brings it back
        }
        tallies.injected(FaultKind.SUB_JOIN);
        if (kill) {
            tallies.durableKill();
        }
        leave(current, kill);
        log.add("join-d away for " + away + " ms");
        sleep(away);
        topic.startSubscriber(role);
        tallies.join("durable_returns", 1);
        sleep(dwell);
    }

    /** Closes the subscriber (STOP: it must say STOPPED and exit 0) or kills it; waits until it is gone. */
    private void leave(MainTopic.Sub sub, boolean kill) {
        ChildProcess child = sub.child;
        awaitMoving(child);
        if (!child.isAlive()) {
            if (!child.killed()) {
                findings.error("subscriber " + child.describe() + " ended by itself");
            }
            return;
        }
        if (kill) {
            child.kill9();
            log.add("sub-join: kill -9 of " + child.name());
            tallies.join("left_by_kill", 1);
            return;
        }
        child.send("STOP");
        log.add("sub-join: " + child.name() + " leaves (close)");
        if (!child.awaitExit(LEAVE_TIMEOUT)) {
            findings.error(child.name() + " did not leave within " + LEAVE_TIMEOUT.toSeconds() + " s of STOP: "
                + child.describe() + "\n  " + TopicState.describe(topic.topic().busDir(), MainTopic.NAME));
            child.kill9();
        } else if (child.exitCode() != 0 && !child.killed()) {
            findings.error(child.name() + " failed while leaving: " + child.describe());
        }
        tallies.join("left_by_close", 1);
    }

    /** While {@code child} or a publisher is stalled, waits for it to move or for the hang watch to act. */
    private void awaitMoving(ChildProcess child) {
        long deadline = System.nanoTime() + hangs.limit().toNanos() + 5_000_000_000L;
        while (child.isAlive() && System.nanoTime() - deadline < 0 && (hangs.stalledNanos(child) > STALLED_NANOS
            || topic.currentPubs().stream().anyMatch(pub -> pub.child != null
                && hangs.stalledNanos(pub.child) > STALLED_NANOS))) {
            sleep(20);
        }
    }

    private static void sleep(long millis) {
        LockSupport.parkNanos(millis * 1_000_000L);
    }
}
