package io.ringbus.stress.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Finds the main topic's processes that make no progress while they should, for longer than the
 * hang limit, instead of waiting for them forever:
 *
 * <ul>
 *   <li>a publisher should commit while it publishes, is not stopped (SIGSTOP) and every subscriber
 *       that may hold it back (every role's, the durable joiner's, every joiner's) is live: joined,
 *       alive and not stopped. A durable subscriber that is away (killed, not yet back) holds it back
 *       by design, so its clock does not run meanwhile;</li>
 *   <li>a subscriber should receive while it is live and not stopped, and either messages it must
 *       receive are committed (some publisher's ledger is past both what it received and where it
 *       joined; on a stream path, of live publishers only: a killed one's ledger may count messages
 *       that never reached the ring), or, on shm, its cursor is behind the tail (there is something in
 *       the ring for it: a joiner at earliest that was overtaken owes nothing by the ledgers, yet
 *       holds everyone back).</li>
 * </ul>
 *
 * <p>Each hang is reported once, as a finding with the process's figures, every publisher's and
 * subscriber's, the topic as {@code bus stat} would show it ({@link TopicState}) and the harness's
 * events before it. Then the hung subscribers are killed (kill -9: the slot of a non-durable one stops
 * holding publishers back, a durable one resumes), or, when no subscriber hung, the hung publishers;
 * the run's healing replaces them, and the run goes on.
 *
 * <p>{@link #check()} is called from one thread (the run's watch loop, then its drain);
 * {@link #stalledNanos} from any.
 */
final class HangWatch {
    private final MainTopic topic;
    private final Duration limit;
    private final Path busDir;
    private final boolean stream;
    private final Tallies tallies;
    private final Findings findings;
    private final EventLog log;
    /** Keyed by identity (a ChildProcess has no equals of its own). */
    private final Map<ChildProcess, Mark> marks = new ConcurrentHashMap<>();
    /** Whether what feeds the subscribers is down by design ({@code --via aeron}: a gateway restarting). */
    private volatile BooleanSupplier upstreamDown = () -> false;

    /** A process's progress figure, and since when it has not moved while the process should have. */
    private static final class Mark {
        volatile long progress = -1;
        volatile long since;
        volatile boolean reported;
    }

    HangWatch(MainTopic topic, Duration limit, Path busDir, boolean stream, Tallies tallies, Findings findings,
        EventLog log) {
        this.topic = topic;
        this.limit = limit;
        this.busDir = busDir;
        this.stream = stream;
        this.tallies = tallies;
        this.findings = findings;
        this.log = log;
    }

    /**
     * On {@code --via aeron}: while {@code down} says so (a gateway killed and not yet back), the subscribers are
     * not expected to receive, as while they are stopped.
     */
    void upstreamDown(BooleanSupplier down) {
        this.upstreamDown = down;
    }

    /** Checks every process once; reports and kills the ones that just passed the limit. */
    void check() {
        long now = System.nanoTime();
        List<MainTopic.Sub> subs = watchedSubs();
        List<MainTopic.Pub> pubs = topic.currentPubs();
        boolean everySubscriberLive = subs.stream().allMatch(sub -> sub.child != null && sub.live()
            && !sub.child.paused());
        List<MainTopic.Sub> hungSubs = new ArrayList<>();
        List<MainTopic.Pub> hungPubs = new ArrayList<>();
        Map<Long, Long> behind = stream ? Map.of() : TopicState.behind(busDir, MainTopic.NAME);
        boolean fed = !upstreamDown.getAsBoolean();
        for (MainTopic.Sub sub : subs) {
            ChildProcess child = sub.child;
            if (child != null && passed(child, sub.stats.get(StatsFile.RECEIVED), fed && sub.live() && !child.paused()
                && (owed(sub) > 0 || behind.getOrDefault(child.pid(), 0L) > 0), now)) {
                hungSubs.add(sub);
            }
        }
        for (MainTopic.Pub pub : pubs) {
            ChildProcess child = pub.child;
            if (child != null && passed(child, pub.stats.get(StatsFile.COMMITTED),
                pub.publishing() && !child.paused() && everySubscriberLive, now)) {
                hungPubs.add(pub);
            }
        }
        if (hungSubs.isEmpty() && hungPubs.isEmpty()) {
            marks.keySet().removeIf(child -> !child.isAlive());
            return;
        }
        String state = TopicState.describe(busDir, MainTopic.NAME);
        String figures = figures(subs, pubs, now);
        String before = log.before(now, limit.toSeconds() + 5.0);
        for (MainTopic.Sub sub : hungSubs) {
            tallies.hung();
            findings.error(String.format(Locale.ROOT, "hung: %s (pid %d, %s) received nothing for %.1f s while"
                + " it must receive %,d more messages (by the ledgers) and its cursor was %,d bytes behind the tail"
                + "\n  processes: %s\n  %s\n  before it: %s", sub.child.name(), sub.child.pid(), kind(sub),
                stalledSeconds(sub.child, now), owed(sub), behind.getOrDefault(sub.child.pid(), 0L), figures, state,
                before));
        }
        for (MainTopic.Pub pub : hungPubs) {
            tallies.hung();
            findings.error(String.format(Locale.ROOT, "hung: %s (pid %d) committed nothing for %.1f s while every"
                + " subscriber was live\n  processes: %s\n  %s\n  before it: %s", pub.child.name(), pub.child.pid(),
                stalledSeconds(pub.child, now), figures, state, before));
        }
        for (MainTopic.Sub sub : hungSubs) {
            log.add("hung: kill -9 of " + sub.child.name());
            sub.child.sigkill();
        }
        if (hungSubs.isEmpty()) {
            for (MainTopic.Pub pub : hungPubs) {
                log.add("hung: kill -9 of " + pub.child.name());
                pub.child.sigkill();
            }
        }
    }

    /** Whether {@code child} has just passed the limit without progress while it should have made some. */
    private boolean passed(ChildProcess child, long progress, boolean should, long now) {
        Mark mark = marks.computeIfAbsent(child, c -> new Mark());
        if (progress != mark.progress || !should || !child.isAlive()) {
            mark.progress = progress;
            mark.since = now;
            mark.reported = false;
            return false;
        }
        if (!mark.reported && now - mark.since > limit.toNanos()) {
            mark.reported = true;
            return true;
        }
        return false;
    }

    /**
     * How long {@code child} has made no progress while it should have, as of the last check (0 when
     * it moves, or need not).
     */
    long stalledNanos(ChildProcess child) {
        Mark mark = marks.get(child);
        return mark == null || mark.progress < 0 ? 0 : System.nanoTime() - mark.since;
    }

    /** The hang limit. */
    Duration limit() {
        return limit;
    }

    private double stalledSeconds(ChildProcess child, long now) {
        Mark mark = marks.get(child);
        return mark == null ? 0 : (now - mark.since) / 1e9;
    }

    private List<MainTopic.Sub> watchedSubs() {
        List<MainTopic.Sub> subs = new ArrayList<>(topic.currentSubs());
        subs.addAll(topic.joiners());
        return subs;
    }

    /** Messages {@code sub} must still receive: per publisher, its ledger beyond what it has and where it joined. */
    private long owed(MainTopic.Sub sub) {
        long owed = 0;
        for (MainTopic.Pub pub : topic.allPubs()) {
            if (stream && (pub.child == null || !pub.child.isAlive())) {
                continue;
            }
            long committed = pub.stats.get(StatsFile.COMMITTED);
            owed += Math.max(0, committed - Math.max(sub.stats.next(pub.id), sub.requiredFrom(pub)));
        }
        return owed;
    }

    private static String kind(MainTopic.Sub sub) {
        if (sub.role == MainTopic.JOINER) {
            return "joiner at " + sub.start;
        }
        return sub.durable() ? "durable '" + sub.durableName + "'" : "subscriber role " + sub.role;
    }

    /** One line per process: what it did, and for how long it has made no progress. */
    private String figures(List<MainTopic.Sub> subs, List<MainTopic.Pub> pubs, long now) {
        List<String> parts = new ArrayList<>();
        for (MainTopic.Pub pub : pubs) {
            if (pub.child != null) {
                parts.add(String.format(Locale.ROOT, "%s committed %,d (back-pressured %,d times)%s%s",
                    pub.child.name(), pub.stats.get(StatsFile.COMMITTED), pub.stats.get(StatsFile.BACK_PRESSURED),
                    still(pub.child, now), pub.child.isAlive() ? "" : " [gone]"));
            }
        }
        for (MainTopic.Sub sub : subs) {
            if (sub.child != null) {
                parts.add(String.format(Locale.ROOT, "%s (%s) received %,d, owes %,d%s%s%s", sub.child.name(),
                    kind(sub), sub.stats.get(StatsFile.RECEIVED), owed(sub), still(sub.child, now),
                    sub.child.paused() ? " [stopped]" : "", sub.child.isAlive() ? "" : " [gone]"));
            }
        }
        return String.join("; ", parts);
    }

    private String still(ChildProcess child, long now) {
        double seconds = stalledSeconds(child, now);
        return seconds >= 1 ? String.format(Locale.ROOT, ", no progress for %.1f s", seconds) : "";
    }
}
