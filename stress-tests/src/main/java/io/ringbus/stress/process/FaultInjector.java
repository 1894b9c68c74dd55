package io.ringbus.stress.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * Injects the faults, one at a time, on its own thread: waits a random (exponential) gap, picks a
 * kind (each enabled kind once first, in random order, so that short runs see every kind; then at
 * random, weighted by rate), injects it, waits until its effect is over (the processes it killed are
 * replaced, the one it stopped continued, the episode done), and replaces anything that died.
 *
 * <p>One at a time so that each figure means what it says: the time the others took to move again
 * after a publisher's death is not stretched by a subscriber that happens to be stopped. The one
 * exception is {@code cpu-busy}, a condition rather than an event: its busy process spins on while
 * the next faults run ({@link Contention}).
 *
 * <p><b>Unblock time.</b> After a publisher's kill -9 at T, the time until the others have moved
 * again ({@link Unblock}, which says what that means on each path): on shared memory, every other live
 * publisher has committed a message after T and every live subscriber has received a message committed
 * after T (which lies behind the dead publisher's claim, if it held one); on a stream path, every reader
 * of the ring (the bridge's sessions) has read a record claimed after T, every other publisher's client
 * accepts messages again, and every live subscriber receives messages again. One
 * measured while the {@code cpu-busy} process spins (at the kill or at the end) is counted apart: it
 * measures the scheduler of a starved machine as much as the bus, so it is not held to the 1 s limit
 * (the 10 s timeout and the hang check still hold).
 */
final class FaultInjector implements Runnable {
    private final Map<FaultKind, Double> rates;
    private final MainTopic topic;
    private final Episodes episodes;
    private final Joins joins;
    private final Contention contention;
    private final Tallies tallies;
    private final Findings findings;
    private final Random random;
    private final EventLog log;
    private volatile boolean stopRequested;
    private final List<Integer> subscriberTurns = new ArrayList<>();
    /** The gateways of {@code --via aeron}, or null. */
    private final StressGateways gateways;
    /** The run's path: what an unblock is measured on ({@link Unblock}). */
    private final Via via;

    FaultInjector(StressOptions options, MainTopic topic, Episodes episodes, Joins joins, Contention contention,
        Tallies tallies, Findings findings, EventLog log) {
        this(options, topic, episodes, joins, contention, tallies, findings, log, null);
    }

    /** With the {@code --via aeron} run's {@code gateways} (null on every other path). */
    FaultInjector(StressOptions options, MainTopic topic, Episodes episodes, Joins joins, Contention contention,
        Tallies tallies, Findings findings, EventLog log, StressGateways gateways) {
        this.gateways = gateways;
        this.via = options.via();
        this.log = log;
        this.joins = joins;
        this.contention = contention;
        Map<FaultKind, Double> enabled = new LinkedHashMap<>(options.rates());
        if (options.cli() == null) {
            for (FaultKind kind : FaultKind.values()) {
                if (kind.usesCli() && enabled.remove(kind) != null) {
                    tallies.skipped(kind, "no bus CLI in this run (StressOptions.cli is not set; bus stress sets it)");
                }
            }
        }
        if (options.via().stream()) {
            for (FaultKind kind : FaultKind.values()) {
                if (kind.crashPoint() != null && enabled.remove(kind) != null) {
                    tallies.skipped(kind, "a crash point lives in a shm writer, which on --via "
                        + options.via().label() + " is the bridge in the harness's process; the children are killed"
                        + " with pub-kill and sub-kill instead");
                }
            }
        }
        if (gateways == null) {
            for (FaultKind kind : FaultKind.values()) {
                if (kind.usesGateways() && enabled.remove(kind) != null) {
                    tallies.skipped(kind, "no gateways on --via " + options.via().label() + " (only --via aeron has"
                        + " them)");
                }
            }
        }
        this.rates = enabled;
        this.topic = topic;
        this.episodes = episodes;
        this.tallies = tallies;
        this.findings = findings;
        this.random = new Random(options.seed() * 31 + 7);
    }

    /** Asks the thread to end after the fault in hand. */
    void requestStop() {
        stopRequested = true;
    }

    @Override
    public void run() {
        try {
            injectUntilStopped();
        } finally {
            contention.close();
        }
    }

    private void injectUntilStopped() {
        double perMinute = rates.values().stream().mapToDouble(Double::doubleValue).sum();
        if (perMinute <= 0) {
            // No faults: only replace what ends by itself (an error, reported), twice a second.
            while (pause(0.5)) {
                heal();
            }
            return;
        }
        List<FaultKind> firstPass = new ArrayList<>(rates.keySet());
        Collections.shuffle(firstPass, random);
        while (!stopRequested) {
            double gapSeconds = -Math.log(1 - random.nextDouble()) * 60 / perMinute;
            if (!pause(Math.min(gapSeconds, 30))) {
                return;
            }
            FaultKind kind = firstPass.isEmpty() ? pickByRate(perMinute) : firstPass.removeFirst();
            try {
                heal();
                inject(kind);
                heal();
            } catch (RuntimeException e) {
                findings.error(kind.label() + ": " + e.getMessage());
            }
        }
    }

    private void heal() {
        try {
            topic.heal();
        } catch (RuntimeException e) {
            findings.error("replacing a process: " + e.getMessage());
        }
        if (gateways != null) {
            try {
                String ended = gateways.heal();
                if (ended != null) {
                    findings.error("a gateway ended by itself: " + ended);
                }
            } catch (RuntimeException e) {
                findings.error("restarting a gateway: " + e.getMessage());
            }
        }
    }

    private boolean pause(double seconds) {
        long until = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() - until < 0) {
            if (stopRequested) {
                return false;
            }
            contention.expire();
            LockSupport.parkNanos(Math.min(50_000_000L, until - System.nanoTime()));
        }
        return !stopRequested;
    }

    private FaultKind pickByRate(double perMinute) {
        double at = random.nextDouble() * perMinute;
        for (Map.Entry<FaultKind, Double> entry : rates.entrySet()) {
            at -= entry.getValue();
            if (at < 0) {
                return entry.getKey();
            }
        }
        return rates.keySet().iterator().next();
    }

    private void inject(FaultKind kind) {
        switch (kind) {
            case PUB_KILL -> {
                MainTopic.Pub victim = publishingVictim();
                if (victim != null) {
                    killPublisher(kind, victim);
                }
            }
            case CRASH_AFTER_CLAIM, CRASH_MID_PAYLOAD, CRASH_BEFORE_COMMIT, CRASH_WRAP_PADDING -> crash(kind);
            case SUB_KILL -> killSubscriber();
            case PUB_STOP -> {
                MainTopic.Pub victim = publishingVictim();
                if (victim != null) {
                    stop(kind, victim.child);
                }
            }
            case SUB_STOP -> {
                List<MainTopic.Sub> live = liveSubs();
                if (!live.isEmpty()) {
                    stop(kind, topic.pick(live).child);
                }
            }
            case TRUNCATE, SCRIBBLE -> {
                log.add(kind.label() + " episode on the victim topic");
                episodes.hostile(kind);
            }
            case FULL_FS -> {
                log.add("full-fs episode");
                episodes.fullFileSystem();
            }
            case SUB_JOIN -> joins.run();
            case CPU_BUSY -> contention.start();
            case CLI_SUB -> episodes.cliSub();
            case CLI_TRUNCATE -> episodes.cliTruncate();
            case GATEWAY_KILL -> {
                boolean export = topic.between(0, 2) == 0;
                String what = gateways.killOne(export, topic.between(50, 1_000));
                tallies.injected(kind);
                log.add("gateway-kill: kill -9 of " + what);
            }
            default -> throw new IllegalStateException("unknown fault " + kind);
        }
    }

    private MainTopic.Pub publishingVictim() {
        List<MainTopic.Pub> publishing = topic.currentPubs().stream().filter(MainTopic.Pub::publishing).toList();
        return publishing.isEmpty() ? null : topic.pick(publishing);
    }

    private List<MainTopic.Sub> liveSubs() {
        return topic.currentSubs().stream().filter(MainTopic.Sub::live).toList();
    }

    /**
     * Arms the crash point in a publisher, waits until it stops there (holding its claim, so the others
     * pile up behind it), lets them wait a moment, then kills it.
     */
    private void crash(FaultKind kind) {
        MainTopic.Pub victim = publishingVictim();
        if (victim == null) {
            return;
        }
        String point = kind.crashPoint();
        String reached = "CRASHPOINT " + point;
        victim.child.send("ARM " + point);
        Duration wait = kind == FaultKind.CRASH_WRAP_PADDING ? Duration.ofSeconds(10) : Duration.ofSeconds(5);
        if (victim.child.awaitLine(reached, wait) == null) {
            victim.child.send("DISARM");
            String answer = victim.child.awaitLine(line -> line.equals(reached) || line.startsWith("DISARMED"),
                Duration.ofSeconds(30));
            if (answer == null) {
                throw new StressException("publisher answered neither CRASHPOINT nor DISARMED: "
                    + victim.child.describe());
            }
            if (!answer.equals(reached)) {
                tallies.notReached(kind);
                return;
            }
        }
        log.add(victim.child.name() + " stopped at crash point " + point);
        victim.diedAtCrashPoint = true;
        LockSupport.parkNanos(topic.between(0, 100) * 1_000_000L);
        killPublisher(kind, victim);
    }

    /** kill -9 of a publisher, the time until the others move again, and its replacement. */
    private void killPublisher(FaultKind kind, MainTopic.Pub victim) {
        List<MainTopic.Pub> others = topic.currentPubs().stream()
            .filter(pub -> pub != victim && pub.publishing()).toList();
        List<MainTopic.Sub> subs = liveSubs();
        boolean busy = contention.running();
        Unblock.Result result;
        try (RingPositions ring = streamRing()) {
            Unblock unblock = Unblock.mark(via, others, subs, ring);
            String backlog = unblock.backlogAtDeath();
            long killedAt = System.nanoTime();
            victim.child.sigkill();
            log.add(kind.label() + ": kill -9 of " + victim.child.name() + (backlog.isEmpty() ? "" : "; " + backlog));
            tallies.injected(kind);
            long measuredFrom = killedAt;
            if (others.isEmpty()) {
                awaitGone(victim.child);
                topic.retire(victim);
                // No other publisher: the others that move again are its successor, timed from its READY (its
                // slot taken over): a JVM's start, up to a second on a loaded machine, is not the bus's unblock.
                MainTopic.Pub successor = topic.startPublisher(victim.role, false);
                if (successor == null) {
                    return;
                }
                measuredFrom = System.nanoTime();
                unblock.addStarted(successor);
            }
            result = unblock.await(measuredFrom);
        }
        double millis = result.millis();
        busy |= contention.running();
        if (millis >= 0) {
            if (busy) {
                tallies.busyUnblock(millis);
            } else {
                tallies.unblock(millis);
            }
            log.add(String.format(Locale.ROOT, "others moved again %.1f ms after the death of %s%s", millis,
                victim.child.name(), busy ? " (cpu-busy running)" : ""));
        }
        if (millis > StressFigures.UNBLOCK_LIMIT_MILLIS) {
            tallies.slowUnblock(String.format(Locale.ROOT, "%.0f ms after %s of %s%s; still held at %.0f ms:"
                + " %s", millis, kind.label(), victim.child.name(), busy ? " (cpu-busy running: not held to"
                + " the limit)" : "", StressFigures.UNBLOCK_LIMIT_MILLIS, result.heldAtLimit()));
        }
        if (millis >= Unblock.TIMEOUT.toMillis()) {
            findings.error("nothing moved within " + Unblock.TIMEOUT.toSeconds() + " s of the kill -9 of "
                + victim.child.name() + " (" + kind.label() + "); still held: " + result.heldAtLimit());
        }
        if (!others.isEmpty()) {
            awaitGone(victim.child);
            topic.retire(victim);
            topic.startPublisher(victim.role, false);
        }
    }

    /** On a stream path, the main topic's ring as the bridge writes it (to time an unblock on); else null. */
    private RingPositions streamRing() {
        return via.stream() ? RingPositions.open(topic.topic().busDir(), MainTopic.NAME) : null;
    }

    /**
     * kill -9 of a subscriber, and its replacement (a durable one resumes; publishers wait for it
     * meanwhile, by design). After a non-durable one, the time until every publisher commits again
     * is noted (its slot stops holding them back once a sweep finds it dead; on a stream path, once the
     * bridge's session closed it: there the ring's other cursors must pass its tail at the death too).
     */
    private void killSubscriber() {
        List<MainTopic.Sub> live = liveSubs();
        if (live.isEmpty()) {
            return;
        }
        MainTopic.Sub victim = nextSubscriberVictim(live);
        List<MainTopic.Pub> pubs = topic.currentPubs().stream().filter(MainTopic.Pub::publishing).toList();
        boolean timed = !victim.durable() && !pubs.isEmpty();
        try (RingPositions ring = timed ? streamRing() : null) {
            Unblock unblock = timed ? Unblock.mark(via, pubs, List.of(), ring) : null;
            long killedAt = System.nanoTime();
            victim.child.sigkill();
            log.add("sub-kill: kill -9 of " + victim.child.name() + (victim.durable() ? " (durable)" : ""));
            tallies.injected(FaultKind.SUB_KILL);
            if (victim.durable()) {
                tallies.durableKill();
            } else if (unblock != null) {
                Unblock.Result result = unblock.await(killedAt);
                double millis = result.millis();
                if (millis >= Unblock.TIMEOUT.toMillis()) {
                    findings.error("no publisher moved within " + Unblock.TIMEOUT.toSeconds() + " s of the kill -9"
                        + " of subscriber " + victim.child.name() + ": its slot still holds them back; still held: "
                        + result.heldAtLimit());
                }
                log.add(String.format(Locale.ROOT, "publishers moved again %.1f ms after the death of %s",
                    millis, victim.child.name()));
                if (millis >= 0) {
                    tallies.subscriberUnblock(millis);
                }
            }
        }
        awaitGone(victim.child);
        topic.startSubscriber(victim.role);
    }

    /**
     * The subscriber to kill: roles take turns in a shuffled cycle, so that a short run kills durable
     * and non-durable ones alike.
     */
    private MainTopic.Sub nextSubscriberVictim(List<MainTopic.Sub> live) {
        if (subscriberTurns.isEmpty()) {
            for (MainTopic.Sub sub : live) {
                subscriberTurns.add(sub.role);
            }
            Collections.shuffle(subscriberTurns, random);
        }
        int role = subscriberTurns.removeFirst();
        return live.stream().filter(sub -> sub.role == role).findFirst().orElse(live.getFirst());
    }

    /** Waits for a killed process to be gone (its locks released, its figures final). */
    private void awaitGone(ChildProcess child) {
        long start = System.nanoTime();
        if (!child.awaitExit(Duration.ofSeconds(30))) {
            throw new StressException(child.name() + " survived kill -9 for 30 s");
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (millis > 500) {
            log.add(child.name() + " took " + millis + " ms to be gone after kill -9");
        }
    }

    /** SIGSTOP, a pause of 50 to 800 ms, SIGCONT. */
    private void stop(FaultKind kind, ChildProcess child) {
        if (!child.signal(ChildProcess.SIGSTOP)) {
            return;
        }
        tallies.injected(kind);
        long millis = topic.between(50, 800);
        log.add(kind.label() + ": SIGSTOP of " + child.name() + " for " + millis + " ms");
        LockSupport.parkNanos(millis * 1_000_000L);
        if (!child.signal(ChildProcess.SIGCONT) && child.isAlive()) {
            findings.error("could not SIGCONT " + child.describe());
        }
    }
}
