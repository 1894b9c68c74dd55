package io.ringbus.stress.process;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.ProducerMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * The main topic's processes: {@code publishers} publisher roles and {@code subscribers} subscriber
 * roles, each role played by one process at a time (an incarnation), replaced when it is killed.
 * Every incarnation is kept, with its stats file, for the final figures.
 *
 * <p><b>What a subscriber must receive.</b> A durable subscriber (its figures continued across
 * incarnations) must receive every message of every publisher, from 0. A non-durable incarnation
 * joins at some moment J; it must receive every message committed after J. Right after its READY
 * (printed once J is stored), the harness notes for each publisher: 0 if that publisher had not yet
 * made its first claim, else its committed count + 1 (the message in hand at that instant may have
 * been committed before J; none after it was).
 *
 * <p><b>Joiners</b> ({@code sub-join}). Besides its roles, the topic has subscribers that join and
 * leave while it runs: non-durable ones (role {@link #JOINER}, at {@code earliest} or {@code latest}),
 * each with a stats file of its own, owing what was committed after it joined until it leaves; and
 * one durable joiner (role {@link #durableJoinerRole()}), absent until its first join, then owing
 * everything from that join on through all its leaves and returns. A joiner that joins at earliest
 * may receive older messages too, but from its first message of a publisher on, nothing may be
 * missing.
 *
 * <p><b>Evictable subscribers</b> ({@code --evictable}): the roles right after the durable ones. Publishers evict
 * one that stalls, so it may lose messages, but only where its loss listener was told so before the gap; the harness
 * publishes the end marker ({@link #publishEndMarker}) so that a loss at the very end is reported too.
 *
 * <p><b>Two buses</b> ({@code --via aeron}). The publishers write the topic of bus A; every subscriber and
 * joiner reads the topic of the same name on bus B, which the gateways fill. At the end the harness publishes
 * one message of its own into bus A ({@link #publishEndMarker}): the importer announces any loss before it, so
 * that a loss at the very end of a publisher's sequence is announced too.
 */
final class MainTopic {
    static final String NAME = "stress";
    /** The role of a non-durable joiner. */
    static final int JOINER = -1;
    /** The durable joiner's durable name. */
    static final String DURABLE_JOINER = "joiner-durable";

    /** One publisher process. */
    static final class Pub implements Unblock.Publisher {
        final int id;
        final int role;
        final StatsFile stats;
        volatile ChildProcess child;
        boolean retired;
        /** Killed while stopped at a crash point: the message in hand was certainly never committed. */
        volatile boolean diedAtCrashPoint;

        Pub(int id, int role, StatsFile stats) {
            this.id = id;
            this.role = role;
            this.stats = stats;
        }

        @Override
        public boolean publishing() {
            ChildProcess process = child;
            return process != null && process.isAlive() && stats.state() == StatsFile.RUNNING;
        }

        @Override
        public String name() {
            ChildProcess process = child;
            return process != null ? process.name() : "publisher " + id;
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public long ledger() {
            return stats.get(StatsFile.COMMITTED);
        }
    }

    /** One subscriber process; durable ones of a role share one stats file. */
    static final class Sub implements Unblock.Subscriber {
        final int role;
        final String durableName;
        final StatsFile stats;
        volatile ChildProcess child;
        /** Per publisher id, the first sequence this incarnation must receive (missing ids: 0). */
        volatile Map<Integer, Long> requiredFrom;
        /** Where it started: earliest or latest (a durable one that resumes: where its name first joined). */
        final String start;
        /** Whether a durable subscriber owes messages from {@link #requiredFrom} (joined late), not from 0. */
        final boolean owesFromJoin;
        /** Whether publishers may evict it: it owes what it was not told it lost, and the end marker. */
        final boolean evictable;

        Sub(int role, String durableName, StatsFile stats, boolean evictable) {
            this(role, durableName, stats, durableName != null ? "earliest" : "latest", false, evictable);
        }

        Sub(int role, String durableName, StatsFile stats, String start, boolean owesFromJoin) {
            this(role, durableName, stats, start, owesFromJoin, false);
        }

        private Sub(int role, String durableName, StatsFile stats, String start, boolean owesFromJoin,
            boolean evictable) {
            this.role = role;
            this.durableName = durableName;
            this.stats = stats;
            this.start = start;
            this.owesFromJoin = owesFromJoin;
            this.evictable = evictable;
        }

        boolean durable() {
            return durableName != null;
        }

        boolean live() {
            ChildProcess process = child;
            return process != null && process.isAlive() && requiredFrom != null;
        }

        @Override
        public String name() {
            ChildProcess process = child;
            return process != null ? process.name() : "subscriber role " + role;
        }

        @Override
        public boolean alive() {
            ChildProcess process = child;
            return process != null && process.isAlive();
        }

        @Override
        public long received() {
            return stats.get(StatsFile.RECEIVED);
        }

        @Override
        public long next(int publisherId) {
            return stats.next(publisherId);
        }

        /** The first sequence of {@code pub} this subscriber must receive. */
        long requiredFrom(Pub pub) {
            if (durable() && !owesFromJoin) {
                return 0;
            }
            Map<Integer, Long> required = requiredFrom;
            Long from = required == null ? null : required.get(pub.id);
            return from == null ? 0 : from;
        }
    }

    private final StressOptions options;
    private final Launcher launcher;
    private final Launcher.Topic topic;
    /** Where the subscribers are: the same topic, or on {@code --via aeron} the one of bus B. */
    private final Launcher.Topic subscriberTopic;
    private final Findings findings;
    private final EventLog log;
    private final SplittableRandom random;
    private final List<Pub> pubs = new ArrayList<>();
    private final List<Sub> subs = new ArrayList<>();
    private final Pub[] currentPub;
    private final Sub[] currentSub;
    private final StatsFile[] durableStats;
    private final long[] quotaLeft;
    private final boolean crashPoints;
    private int nextId = 1;
    private int nextJoiner = 1;
    private final List<Sub> joiners = new ArrayList<>();
    /** What the durable joiner owes, fixed at its first join. */
    private Map<Integer, Long> durableJoinerFrom;
    private String durableJoinerStart;
    /** Roles given up after their replacement could not start ("sub-N", "pub-N"). */
    private final Set<String> abandoned = ConcurrentHashMap.newKeySet();

    MainTopic(StressOptions options, Launcher launcher, Path busDir, Findings findings, EventLog log) {
        this(options, launcher, busDir, busDir, findings, log);
    }

    /** The main topic with its publishers on {@code busDir} and its subscribers on {@code subscriberBusDir}. */
    MainTopic(StressOptions options, Launcher launcher, Path busDir, Path subscriberBusDir, Findings findings,
        EventLog log) {
        this.log = log;
        this.options = options;
        this.launcher = launcher;
        this.findings = findings;
        this.random = new SplittableRandom(options.seed());
        this.topic = new Launcher.Topic(busDir, NAME, options.capacity(), options.maxMessage(),
            options.producerMode() == ProducerMode.SINGLE);
        this.subscriberTopic = new Launcher.Topic(subscriberBusDir, NAME, options.capacity(), options.maxMessage(),
            options.producerMode() == ProducerMode.SINGLE);
        this.currentPub = new Pub[options.publishers()];
        this.currentSub = new Sub[options.subscribers() + 1];
        this.durableStats = new StatsFile[options.subscribers() + 1];
        this.quotaLeft = new long[options.publishers()];
        for (int i = 0; i < quotaLeft.length; i++) {
            quotaLeft[i] = options.count() < 0 ? -1
                : options.count() / quotaLeft.length + (i < options.count() % quotaLeft.length ? 1 : 0);
        }
        this.crashPoints = options.rates().keySet().stream().anyMatch(kind -> kind.crashPoint() != null);
    }

    Launcher.Topic topic() {
        return topic;
    }

    /** Starts every subscriber role, then every publisher role (waiting for GO), then says GO. */
    void start() {
        for (int role = 0; role < options.subscribers(); role++) {
            startSubscriber(role);
        }
        for (int role = 0; role < currentPub.length; role++) {
            startPublisher(role, true);
        }
        for (Pub pub : currentPubs()) {
            if (pub.child != null) {
                pub.child.send("GO");
            }
        }
    }

    /** Name of subscriber role {@code role}, as the figures show it. */
    String subscriberName(int role) {
        if (role == JOINER) {
            return "joiners";
        }
        if (role == durableJoinerRole()) {
            return "join-d (durable joiner)";
        }
        return "sub-" + role + (role < options.durable() ? " (durable)" : evictable(role) ? " (evictable)" : "");
    }

    /** Whether subscriber role {@code role} is evictable: an {@code --evictable} role, after the durable ones. */
    boolean evictable(int role) {
        return role >= options.durable() && role < options.durable() + options.evictable();
    }

    /** The role of the durable joiner (after the subscriber roles). */
    int durableJoinerRole() {
        return options.subscribers();
    }

    /** Starts a new incarnation of subscriber role {@code role} and notes what it must receive. */
    Sub startSubscriber(int role) {
        return startSubscriber(role, null);
    }

    /**
     * Starts a new incarnation of subscriber role {@code role} (or of the durable joiner, whose first
     * join starts at {@code start}: earliest or latest) and notes what it must receive.
     */
    Sub startSubscriber(int role, String start) {
        boolean joiner = role == durableJoinerRole();
        boolean durable = joiner || role < options.durable();
        String name = joiner ? "join-d" : "sub-" + role;
        StatsFile stats;
        boolean first;
        synchronized (this) {
            first = durableStats[role] == null;
            if (durable && first) {
                durableStats[role] = launcher.newStats(name, StatsFile.SUBSCRIBER, 0);
            }
            stats = durable ? durableStats[role] : launcher.newStats(name, StatsFile.SUBSCRIBER, 0);
            if (joiner && first) {
                durableJoinerStart = start != null ? start : "earliest";
            }
        }
        Sub sub = joiner ? new Sub(role, DURABLE_JOINER, stats, durableJoinerStart, true)
            : new Sub(role, durable ? "durable-" + role : null, stats, evictable(role));
        synchronized (this) {
            subs.add(sub);
            currentSub[role] = sub;
        }
        List<String> extra = new ArrayList<>(List.of("--start", sub.start));
        if (sub.evictable) {
            extra.addAll(List.of("--evict-after", Long.toString(StressOptions.EVICT_AFTER_MILLIS)));
            if (options.selfTest().contains("unreported")) {
                extra.add("--self-test-unreported");
            }
        }
        if (options.selfTest().contains("lose")) {
            extra.addAll(List.of("--self-test-skip", "10007"));
        }
        if (options.selfTest().contains("hang") && role == options.subscribers() - 1) {
            extra.addAll(List.of("--self-test-freeze", "50000"));
        }
        sub.child = launcher.subscriber(name, subscriberTopic, stats, sub.durableName, options.wakeup(), extra);
        Map<Integer, Long> required = requiredNow();
        synchronized (this) {
            if (joiner && first) {
                durableJoinerFrom = required;
            }
            sub.requiredFrom = joiner ? durableJoinerFrom : required;
        }
        log.add("started " + sub.child.name() + " (pid " + sub.child.pid() + (joiner ? ", durable joiner at "
            + sub.start + (first ? "" : ", resuming") : "") + ")");
        return sub;
    }

    /** For each publisher, the first sequence a subscriber that joined just now must receive. */
    private Map<Integer, Long> requiredNow() {
        Map<Integer, Long> required = new HashMap<>();
        for (Pub pub : allPubs()) {
            long committed = pub.stats.get(StatsFile.COMMITTED);
            required.put(pub.id, pub.stats.get(StatsFile.STARTED) == 0 ? 0 : committed + 1);
        }
        return Map.copyOf(required);
    }

    /**
     * Starts a non-durable joiner at {@code start} (earliest or latest), and notes what it must receive:
     * what was committed after it joined, as for any subscriber.
     */
    Sub startJoiner(String start) {
        String name;
        StatsFile stats;
        synchronized (this) {
            name = "join-" + nextJoiner++;
            stats = launcher.newStats(name, StatsFile.SUBSCRIBER, 0);
        }
        Sub sub = new Sub(JOINER, null, stats, start, false);
        synchronized (this) {
            subs.add(sub);
            joiners.add(sub);
        }
        try {
            sub.child = launcher.subscriber(name, subscriberTopic, stats, null, options.wakeup(),
                List.of("--start", start));
        } catch (RuntimeException e) {
            synchronized (this) {
                joiners.remove(sub);
            }
            throw e;
        }
        sub.requiredFrom = requiredNow();
        log.add("started " + sub.child.name() + " (pid " + sub.child.pid() + ", joiner at " + start + ")");
        return sub;
    }

    /** A non-durable joiner has left (its process is gone). */
    synchronized void joinerLeft(Sub sub) {
        joiners.remove(sub);
    }

    /** The non-durable joiners joined right now. */
    synchronized List<Sub> joiners() {
        return List.copyOf(joiners);
    }

    /**
     * Starts a new incarnation of publisher role {@code role} (a new publisher id), waiting for GO or
     * publishing at once. Returns null when the role has published its share of {@code --count}.
     */
    Pub startPublisher(int role, boolean waitGo) {
        long quota;
        Pub pub;
        synchronized (this) {
            quota = quotaLeft[role];
            if (quota == 0) {
                return null;
            }
            if (nextId >= StatsFile.MAX_IDS) {
                throw new StressException("ran out of publisher ids (" + StatsFile.MAX_IDS + " publisher processes)");
            }
            int id = nextId++;
            pub = new Pub(id, role, launcher.newStats("pub-" + role, StatsFile.PUBLISHER, id));
            pubs.add(pub);
            currentPub[role] = pub;
        }
        pub.child = launcher.publisher("pub-" + role + "#" + pub.id, topic, pub.stats, options.size(), quota, waitGo,
            crashPoints, random.nextLong(),
            selfTestArgs(pub.id));
        log.add("started " + pub.child.name() + " (pid " + pub.child.pid() + ")");
        return pub;
    }

    /**
     * A publisher's self-test arguments: spoil messages; the first one crashes its JVM after a while, or
     * prints a stack trace.
     */
    private List<String> selfTestArgs(int id) {
        List<String> args = new ArrayList<>();
        if (options.selfTest().contains("tear")) {
            args.addAll(List.of("--self-test-tear", "10009"));
        }
        if (options.selfTest().contains("crash") && id == 1) {
            args.addAll(List.of("--self-test-crash", "50000"));
        }
        if (options.selfTest().contains("trace") && id == 1) {
            args.addAll(List.of("--self-test-trace", "true"));
        }
        return args;
    }

    /** Notes, once, what a publisher incarnation committed against its role's share of --count. */
    synchronized void retire(Pub pub) {
        if (pub.retired) {
            return;
        }
        pub.retired = true;
        if (quotaLeft[pub.role] > 0) {
            quotaLeft[pub.role] = Math.max(0, quotaLeft[pub.role] - committed(pub));
        }
    }

    /** Whether every publisher role has published its share of --count (never, without --count). */
    synchronized boolean quotasDone() {
        if (options.count() < 0) {
            return false;
        }
        for (int role = 0; role < currentPub.length; role++) {
            if (quotaLeft[role] != 0 && currentPub[role].stats.state() != StatsFile.FINISHED) {
                return false;
            }
        }
        return true;
    }

    /**
     * Replaces every process that ended without the harness killing it (an error: it is reported)
     * and every killed one not yet replaced. A publisher that finished its share is left alone. A role
     * whose replacement cannot start (a durable subscriber whose slot is corrupt, say) is an error, and
     * is given up: left without a process for the rest of the run.
     */
    void heal() {
        for (int role = 0; role < currentSub.length; role++) {
            Sub sub = currentSub(role);
            if (sub == null || abandoned.contains("sub-" + role) || sub.child != null && sub.child.isAlive()) {
                continue;
            }
            if (sub.child != null && !sub.child.killed()) {
                findings.error("subscriber " + sub.child.describe() + " ended by itself");
            }
            try {
                startSubscriber(role);
            } catch (RuntimeException e) {
                abandoned.add("sub-" + role);
                findings.error("cannot replace " + subscriberName(role) + ", given up for the rest of the run: "
                    + e.getMessage());
            }
        }
        for (int role = 0; role < currentPub.length; role++) {
            Pub pub = currentPub(role);
            if (abandoned.contains("pub-" + role) || pub.child != null && pub.child.isAlive()) {
                continue;
            }
            if (pub.child != null && !pub.child.killed()) {
                String done = pub.child.line("DONE ");
                if (done != null && pub.child.exitCode() == 0) {
                    retire(pub);
                    continue;
                }
                findings.error("publisher " + pub.child.describe() + " ended by itself");
            }
            retire(pub);
            try {
                startPublisher(role, false);
            } catch (RuntimeException e) {
                abandoned.add("pub-" + role);
                findings.error("cannot replace publisher role " + role + ", given up for the rest of the run: "
                    + e.getMessage());
            }
        }
    }

    synchronized Pub currentPub(int role) {
        return currentPub[role];
    }

    /** The current incarnation of role {@code role}; null for a joiner, or a durable joiner not yet joined. */
    synchronized Sub currentSub(int role) {
        return role >= 0 && role < currentSub.length ? currentSub[role] : null;
    }

    /** The current publisher incarnations. */
    synchronized List<Pub> currentPubs() {
        return List.of(currentPub);
    }

    /** The current subscriber incarnations: every role's, and the durable joiner's once it joined. */
    synchronized List<Sub> currentSubs() {
        List<Sub> current = new ArrayList<>();
        for (Sub sub : currentSub) {
            if (sub != null) {
                current.add(sub);
            }
        }
        return current;
    }

    /** Every publisher incarnation so far. */
    synchronized List<Pub> allPubs() {
        return List.copyOf(pubs);
    }

    /** Every subscriber incarnation so far (durable ones of a role share their stats file). */
    synchronized List<Sub> allSubs() {
        return List.copyOf(subs);
    }

    /** The stats files holding subscriber figures: one per durable role, one per other incarnation. */
    synchronized List<Sub> ledgers() {
        List<Sub> ledgers = new ArrayList<>();
        for (Sub sub : subs) {
            if (!sub.durable() || sub == currentSub(sub.role)) {
                ledgers.add(sub);
            }
        }
        return ledgers;
    }

    /**
     * What a publisher incarnation committed: its ledger (stored after each offer returned), or one
     * more when some subscriber received the message it had in hand when it was killed. On a stream
     * path a killed publisher's ledger also counts what {@code offer} had taken into its buffers and
     * its stream but the bridge never published: there, what it committed is the most any subscriber
     * received of it (the rest is {@link #inFlightAtKill}; a message missing before that is a loss).
     */
    long committed(Pub pub) {
        long delivered = delivered(pub);
        if (streamKilled(pub)) {
            return delivered;
        }
        return Math.max(pub.stats.get(StatsFile.COMMITTED), delivered);
    }

    /**
     * Messages a publisher killed on a stream path had handed to {@code offer} that never reached the
     * ring (the end of its sequence, in its buffers and stream at the kill): never committed, so not
     * lost; 0 for anything else.
     */
    long inFlightAtKill(Pub pub) {
        return streamKilled(pub) ? Math.max(0, pub.stats.get(StatsFile.COMMITTED) - delivered(pub)) : 0;
    }

    private boolean streamKilled(Pub pub) {
        ChildProcess child = pub.child;
        return options.via().stream() && child != null && child.killed();
    }

    private long delivered(Pub pub) {
        long delivered = 0;
        for (Sub sub : ledgers()) {
            delivered = Math.max(delivered, sub.stats.next(pub.id));
        }
        return delivered;
    }

    /**
     * Creates the main topic in {@code busDir} with the run's shape, as its first publisher would: on
     * {@code --via aeron} the gateways open it (an exporter's subscriber, an importer's publisher) before any
     * child, and would otherwise create it with the bus's default shape.
     */
    static void create(Path busDir, StressOptions options) {
        try (Bus bus = Bus.open(new BusContext().directory(busDir));
             Publisher ignored = bus.newPublisher(NAME, shape(options))) {
            // Created with the shape; the file stays.
        }
    }

    private static TopicConfig shape(StressOptions options) {
        return new TopicConfig().capacity(options.capacity()).maxMessageLength(options.maxMessage())
            .producerMode(options.producerMode());
    }

    /**
     * Publishes, from this process, one stress message of a publisher id of its own into the topic of bus A, and
     * counts it as that publisher's one committed message: every subscriber must receive it. After the
     * publishers stopped, on {@code --via aeron}: the importer announces what was lost before it.
     */
    Pub publishEndMarker() {
        Pub pub;
        synchronized (this) {
            int id = nextId++;
            pub = new Pub(id, -1, launcher.newStats("end-marker", StatsFile.PUBLISHER, id));
            pubs.add(pub);
        }
        byte[] message = new byte[StressMessage.HEADER_LENGTH];
        StressMessage.encode(message, pub.id, 0, message.length, new byte[0], 0, new CRC32C());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (Bus bus = Bus.open(new BusContext().directory(topic.busDir()));
             Publisher publisher = bus.newPublisher(NAME, shape(options))) {
            pub.stats.set(StatsFile.STARTED, System.nanoTime());
            pub.stats.set(StatsFile.SENT, 1);
            long result;
            while ((result = publisher.offer(message)) < 0) {
                if (System.nanoTime() - deadline > 0) {
                    throw new StressException("cannot publish the end marker into " + topic.busDir() + ": "
                        + Result.describe(result) + " for 30 s");
                }
                Thread.onSpinWait();
            }
            pub.stats.set(StatsFile.COMMITTED, 1);
            pub.stats.state(StatsFile.FINISHED);
        }
        log.add("published the end marker (publisher id " + pub.id + ")");
        return pub;
    }

    /** A random element. */
    <T> T pick(List<T> from) {
        synchronized (random) {
            return from.get(random.nextInt(from.size()));
        }
    }

    /** A random long in [low, high). */
    long between(long low, long high) {
        synchronized (random) {
            return random.nextLong(low, high);
        }
    }

    /** Sends STOP to every live publisher and waits for them to exit. */
    void stopPublishers(Duration timeout) {
        List<Pub> started = currentPubs().stream().filter(pub -> pub.child != null).toList();
        for (Pub pub : started) {
            pub.child.send("STOP");
        }
        for (Pub pub : started) {
            if (!pub.child.awaitExit(timeout)) {
                findings.error("publisher did not stop within " + timeout.toSeconds() + " s: " + pub.child.describe());
                pub.child.destroy();
            } else if (pub.child.exitCode() != 0) {
                findings.error("publisher failed while stopping: " + pub.child.describe());
            }
        }
    }

    /** Sends STOP to every live subscriber and waits for them to exit. */
    void stopSubscribers(Duration timeout) {
        List<Sub> started = currentSubs().stream().filter(sub -> sub.child != null).toList();
        for (Sub sub : started) {
            sub.child.send("STOP");
        }
        for (Sub sub : started) {
            if (!sub.child.awaitExit(timeout)) {
                findings.error("subscriber did not stop within " + timeout.toSeconds() + " s: "
                    + sub.child.describe());
                sub.child.destroy();
            } else if (sub.child.exitCode() != 0 && !sub.child.killed()) {
                findings.error("subscriber failed while stopping: " + sub.child.describe());
            }
        }
    }

    /** Kills whatever still runs (after a failure). */
    void destroyAll() {
        for (Pub pub : allPubs()) {
            if (pub.child != null) {
                pub.child.destroy();
            }
        }
        for (Sub sub : allSubs()) {
            if (sub.child != null) {
                sub.child.destroy();
            }
        }
    }

    /** Unmaps every stats file. */
    void closeStats() {
        for (Pub pub : allPubs()) {
            pub.stats.close();
        }
        Set<StatsFile> closed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Sub sub : allSubs()) {
            if (closed.add(sub.stats)) {
                sub.stats.close();
            }
        }
    }
}
