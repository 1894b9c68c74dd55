package io.ringbus.stress.process;

import io.ringbus.core.topic.TopicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code cli-sub} fault: the {@code bus} CLI's own pub and sub, as a user runs them, on a topic of
 * their own ({@value #TOPIC}, 64 KiB, shm), checked from their output files:
 *
 * <pre>
 *   harness ──lines──▶ bus pub cli  (1 or 2, fed flat out) ──▶ topic "cli" ─┬─▶ bus sub cli --name audit >> audit.out
 *                                                                         │     (killed -9 1-3 times while printing)
 *                                                                         └─▶ bus sub cli --from earliest|latest
 *                                                                               > join-N.out (1-4, join and leave)
 * </pre>
 *
 * <p>For 2 to 5 s: the durable {@code audit} subscriber is killed -9 and restarted, appending to the
 * same file, as a user would after a crash; joiners join at earliest or latest and leave (SIGTERM,
 * SIGINT or kill -9). Then the publishers' input ends (each must publish every line and exit 0),
 * {@code audit} must print every line and is stopped (SIGTERM: exit 143), and every file is checked
 * ({@link CliOutputCheck}): {@code audit.out} must hold every line published, once, whole; a joiner's
 * file must have no gap, no repeat and no half line (but its last, when it was killed -9). One episode
 * in three (never a run's first, so that a short run kills {@code audit}) has no {@code audit}: the
 * publishers run free, held back by nobody, until a joiner joins (the case of a user who starts
 * {@code bus sub --from earliest} beside a running {@code bus pub}); two in three joiners join at
 * earliest.
 *
 * <p>Hangs: a {@code bus pub} that reads no input for the hang limit while every subscriber is joined
 * (its publisher held back for good), or a {@code bus sub} that prints nothing for the hang limit while
 * lines it must print were published or its cursor is behind the tail, is reported with the topic as
 * {@code bus stat} shows it; the episode then ends. Before a planned kill or leave, a stalled publisher is
 * given the hang limit to move again, so that a stall is found rather than cut short.
 */
final class CliSubEpisode {
    static final String TOPIC = "cli";
    private static final Duration EXIT = Duration.ofSeconds(10);
    /** Lines that may sit between a feeder and the ring (a pipe, the CLI's read chunk): 192 KiB of the shortest. */
    private static final long SLACK_LINES = 192 * 1024 / 25;
    private static final long STALLED_NANOS = 1_000_000_000L;

    private final Launcher launcher;
    private final Path busDir;
    private final String cliMain;
    private final Duration hangLimit;
    private final Tallies tallies;
    private final Findings findings;
    private final EventLog log;
    private final SplittableRandom random;
    private final int number;
    private final boolean first;
    private final List<CliFeeder> feeders = new ArrayList<>();
    private final List<CliSub> subs = new ArrayList<>();
    /** The durable subscriber, or null in an episode without one. */
    private CliSub audit;
    private long exemptAt;
    private boolean hung;

    /** One {@code bus sub} of the episode: its file, its incarnations, where each was killed. */
    private final class CliSub {
        final String label;
        final Path file;
        final List<String> args;
        final List<Long> kills = new ArrayList<>();
        final CliTail tail;
        ChildProcess child;
        int incarnations;
        boolean leftByKill;
        boolean joined;

        CliSub(String label, Path file, List<String> args) {
            this.label = label;
            this.file = file;
            this.args = args;
            this.tail = new CliTail(file);
        }

        /** Starts an incarnation; returns once it has joined (or throws saying why not). */
        void start() {
            List<String> command = new ArrayList<>(List.of("sub", TOPIC, "--dir", busDir.toString(), "--capacity",
                "64k"));
            command.addAll(args);
            child = launcher.cli("cli" + number + "-" + label + "#" + ++incarnations, cliMain, command, file);
            joined = false;
            long deadline = System.nanoTime() + Launcher.START_TIMEOUT.toNanos();
            while (!TopicState.joined(busDir, TOPIC, child.pid())) {
                if (!child.isAlive() || System.nanoTime() - deadline > 0) {
                    child.destroy();
                    throw new StressException(child.name() + " did not join topic " + TOPIC + " within "
                        + Launcher.START_TIMEOUT.toSeconds() + " s: " + child.describe());
                }
                LockSupport.parkNanos(10_000_000L);
            }
            joined = true;
            log.add("started " + child.name() + " (pid " + child.pid() + ", " + String.join(" ", args) + ")");
        }

        boolean present() {
            return child != null && joined && child.isAlive();
        }
    }

    CliSubEpisode(Launcher launcher, Path busDir, String cliMain, Duration hangLimit, Tallies tallies,
        Findings findings, EventLog log, long seed, int number, boolean first) {
        this.launcher = launcher;
        this.busDir = busDir;
        this.cliMain = cliMain;
        this.hangLimit = hangLimit;
        this.tallies = tallies;
        this.findings = findings;
        this.log = log;
        this.random = new SplittableRandom(seed);
        this.number = number;
        this.first = first;
    }

    void run() throws IOException {
        Path dir = Files.createDirectories(launcher.workDir().resolve("cli-" + number));
        int publishers = random.nextInt(1, 3);
        long active = random.nextLong(2_000, 5_001);
        boolean withAudit = random.nextInt(3) != 0 || first;
        TreeMap<Long, String> plan = new TreeMap<>();
        int kills = random.nextInt(1, 4);
        for (int i = withAudit ? (first ? 3 : kills) : 0; i > 0; i--) {
            plan.put(random.nextLong(200, active - 200), "kill");
        }
        for (int i = random.nextInt(1, 5); i > 0; i--) {
            plan.put(random.nextLong(100, active - 600), random.nextInt(3) != 0 ? "earliest" : "latest");
        }
        Map<CliSub, Long> leaves = new HashMap<>();
        try {
            if (withAudit) {
                audit = new CliSub("audit", dir.resolve("audit.out"), List.of("--name", "audit"));
                subs.add(audit);
                audit.start();
            }
            for (int p = 1; p <= publishers; p++) {
                ChildProcess pub = launcher.cli("cli" + number + "-pub-" + p, cliMain, List.of("pub", TOPIC,
                    "--dir", busDir.toString(), "--capacity", "64k"), dir.resolve("pub-" + p + ".out"));
                feeders.add(new CliFeeder(pub, p, random.nextLong()));
            }
            tallies.injected(FaultKind.CLI_SUB);
            log.add("cli-sub episode " + number + ": " + publishers + " bus pub, " + (withAudit ? "" : "no audit, ")
                + "plan " + plan);
            long start = System.nanoTime();
            exemptAt = start;
            // Every planned event runs, even when starting processes took longer than the plan.
            while (!hung && (!plan.isEmpty() || System.nanoTime() - start < active * 1_000_000L)) {
                long at = (System.nanoTime() - start) / 1_000_000;
                Map.Entry<Long, String> next = plan.firstEntry();
                if (next != null && next.getKey() <= at) {
                    plan.pollFirstEntry();
                    if (next.getValue().equals("kill")) {
                        killAudit();
                    } else {
                        CliSub joiner = join(dir, next.getValue());
                        leaves.put(joiner, at + random.nextLong(300, 1_500));
                    }
                }
                for (Map.Entry<CliSub, Long> leave : List.copyOf(leaves.entrySet())) {
                    if (leave.getValue() <= at && !hung) {
                        leave(leave.getKey());
                        leaves.remove(leave.getKey());
                    }
                }
                watch(false);
                LockSupport.parkNanos(10_000_000L);
            }
            for (CliSub joiner : List.copyOf(leaves.keySet())) {
                if (!hung) {
                    leave(joiner);
                }
            }
            Map<Integer, Long> published = hung ? Map.of() : finishPublishers();
            if (audit != null && !hung && !published.isEmpty()) {
                drain(published);
            }
            if (audit != null && !hung) {
                stop(audit, ChildProcess.SIGTERM, 143);
            }
            check(published);
        } finally {
            for (CliFeeder feeder : feeders) {
                feeder.pub().destroy();
                feeder.finish(1000);
            }
            for (CliSub sub : subs) {
                if (sub.child != null) {
                    sub.child.destroy();
                }
            }
            try {
                Files.deleteIfExists(TopicFile.pathOf(busDir, TOPIC));
            } catch (IOException e) {
                findings.error("cannot remove the CLI topic: " + e.getMessage());
            }
            StressRun.deleteTree(dir);
        }
    }

    private CliSub join(Path dir, String start) {
        CliSub joiner = new CliSub("join-" + subs.size(), dir.resolve("join-" + subs.size() + ".out"),
            List.of("--from", start));
        subs.add(joiner);
        exemptAt = System.nanoTime();
        joiner.start();
        exemptAt = System.nanoTime();
        tallies.cli("joiners_at_" + start, 1);
        return joiner;
    }

    /**
     * kill -9 of {@code audit}, the file's length noted once it is gone, and a new incarnation. The kill
     * lands while {@code audit} is printing (its file grew within the last 5 ms; waited for up to half a
     * second), not while it waits for lines: a process killed between taking messages and writing them
     * is what a durable subscriber must survive.
     */
    private void killAudit() {
        awaitMoving();
        if (hung || !audit.present()) {
            return;
        }
        long printing = System.nanoTime() + 500_000_000L;
        audit.tail.poll();
        while (audit.tail.sinceGrowth() > 5_000_000L && System.nanoTime() - printing < 0) {
            LockSupport.parkNanos(1_000_000L);
            audit.tail.poll();
        }
        exemptAt = System.nanoTime();
        audit.joined = false;
        audit.child.kill9();
        audit.tail.cut();
        long length = size(audit.file);
        audit.kills.add(length);
        log.add("cli-sub: kill -9 of " + audit.child.name() + " (its file at " + length + " bytes)");
        tallies.cli("audit_kills", 1);
        audit.start();
        exemptAt = System.nanoTime();
    }

    /** A joiner leaves: SIGTERM (exit 143), SIGINT (exit 130) or kill -9. */
    private void leave(CliSub joiner) {
        awaitMoving();
        if (hung) {
            return;
        }
        exemptAt = System.nanoTime();
        switch (random.nextInt(3)) {
            case 0 -> stop(joiner, ChildProcess.SIGTERM, 143);
            case 1 -> stop(joiner, ChildProcess.SIGINT, 130);
            default -> {
                joiner.leftByKill = true;
                joiner.child.kill9();
                log.add("cli-sub: kill -9 of " + joiner.child.name());
            }
        }
        joiner.joined = false;
        exemptAt = System.nanoTime();
    }

    /** Sends {@code signal}; the process must exit with {@code expected} within {@link #EXIT}. */
    private void stop(CliSub sub, int signal, int expected) {
        ChildProcess child = sub.child;
        if (!child.isAlive()) {
            findings.error("cli-sub: " + child.name() + " ended by itself: " + child.describe());
            return;
        }
        child.signal(signal);
        log.add("cli-sub: " + (signal == ChildProcess.SIGTERM ? "SIGTERM" : "SIGINT") + " to " + child.name());
        if (!child.awaitExit(EXIT)) {
            hang(child.name() + " did not exit within " + EXIT.toSeconds() + " s of its "
                + (signal == ChildProcess.SIGTERM ? "SIGTERM" : "SIGINT"));
            child.kill9();
        } else if (child.exitCode() != expected) {
            findings.error("cli-sub: " + child.name() + " exited " + child.exitCode() + " (expected " + expected
                + "): " + child.describe());
        }
    }

    /** Ends every publisher's input; each must publish it all and exit 0. Returns lines published by number. */
    private Map<Integer, Long> finishPublishers() {
        Map<Integer, Long> published = new TreeMap<>();
        for (CliFeeder feeder : feeders) {
            if (!feeder.finish(hangLimit.toMillis())) {
                hang(feeder.pub().name() + " read none of its input for " + hangLimit.toSeconds() + " s (lines fed "
                    + feeder.fed() + ")");
                return Map.of();
            }
        }
        for (CliFeeder feeder : feeders) {
            ChildProcess pub = feeder.pub();
            long deadline = System.nanoTime() + hangLimit.toNanos();
            while (pub.isAlive() && System.nanoTime() - deadline < 0) {
                watch(true);
                LockSupport.parkNanos(10_000_000L);
            }
            if (pub.isAlive()) {
                hang(pub.name() + " did not finish publishing its " + feeder.fed() + " lines within "
                    + hangLimit.toSeconds() + " s of the end of its input");
                return Map.of();
            }
            if (pub.exitCode() != 0) {
                findings.error("cli-sub: " + pub.name() + " exited " + pub.exitCode() + " after " + feeder.fed()
                    + " lines: " + pub.describe());
                return Map.of();
            }
            published.put(feeder.publisher(), feeder.fed());
            tallies.cli("lines_published", feeder.fed());
        }
        return published;
    }

    /** Waits until {@code audit} printed every line published, or stops printing for the hang limit. */
    private void drain(Map<Integer, Long> published) {
        while (!hung) {
            audit.tail.poll();
            boolean done = true;
            for (Map.Entry<Integer, Long> entry : published.entrySet()) {
                done &= audit.tail.upTo(entry.getKey()) >= entry.getValue();
            }
            if (done) {
                return;
            }
            if (audit.tail.sinceGrowth() > hangLimit.toNanos()) {
                StringBuilder missing = new StringBuilder();
                published.forEach((p, n) -> missing.append(" P").append(p).append(' ').append(audit.tail.upTo(p))
                    .append(" of ").append(n));
                hang(audit.child.name() + " printed nothing for " + hangLimit.toSeconds() + " s after every publisher"
                    + " ended, with lines missing (printed up to:" + missing + ")");
                return;
            }
            LockSupport.parkNanos(20_000_000L);
        }
    }

    /** Before a planned kill or leave: a stalled publisher gets the hang limit to move again. */
    private void awaitMoving() {
        while (!hung && feeders.stream().anyMatch(f -> f.pub().isAlive() && f.sinceLastWrite() > STALLED_NANOS)
            && allPresent()) {
            watch(false);
            LockSupport.parkNanos(10_000_000L);
        }
    }

    /** Whether every subscriber that may hold a publisher back is joined (or gone for good, for a joiner). */
    private boolean allPresent() {
        return subs.stream().allMatch(sub -> sub.present() || sub.child != null && !sub.child.isAlive()
            && sub != audit);
    }

    /**
     * Finds a publisher that read nothing for the hang limit while every subscriber was joined, and a
     * subscriber that printed nothing for the hang limit while lines it must print were published
     * ({@code exact}: after the publishers ended, what they published is known; before, a line may
     * still sit in a pipe, so only more than {@link #SLACK_LINES} behind counts).
     */
    private void watch(boolean exact) {
        if (hung) {
            return; // reported once; the episode is ending
        }
        long now = System.nanoTime();
        if (!allPresent()) {
            exemptAt = now;
        }
        for (CliFeeder feeder : feeders) {
            long quiet = Math.min(feeder.sinceLastWrite(), now - exemptAt);
            if (!exact && feeder.pub().isAlive() && quiet > hangLimit.toNanos()) {
                hang(String.format(Locale.ROOT, "%s read no input for %.1f s while every subscriber was joined"
                    + " (lines fed %,d)", feeder.pub().name(), quiet / 1e9, feeder.fed()));
                return;
            }
        }
        Map<Long, Long> cursors = null;
        for (CliSub sub : subs) {
            if (!sub.present()) {
                continue;
            }
            sub.tail.poll();
            long quiet = Math.min(sub.tail.sinceGrowth(), now - exemptAt);
            if (quiet <= hangLimit.toNanos()) {
                continue;
            }
            for (CliFeeder feeder : feeders) {
                long behind = feeder.fed() - sub.tail.upTo(feeder.publisher());
                if (behind > (exact ? 0 : SLACK_LINES)) {
                    hang(String.format(Locale.ROOT, "%s printed nothing for %.1f s while it was %,d lines of P%d"
                        + " behind", sub.child.name(), quiet / 1e9, behind, feeder.publisher()));
                    return;
                }
            }
            cursors = cursors != null ? cursors : TopicState.behind(busDir, TOPIC);
            long bytes = cursors.getOrDefault(sub.child.pid(), 0L);
            if (bytes > 0) {
                hang(String.format(Locale.ROOT, "%s printed nothing for %.1f s while its cursor was %,d bytes behind"
                    + " the tail", sub.child.name(), quiet / 1e9, bytes));
                return;
            }
        }
    }

    private void hang(String what) {
        hung = true;
        tallies.hung();
        StringBuilder processes = new StringBuilder();
        for (CliFeeder feeder : feeders) {
            processes.append("\n  ").append(feeder.pub().describe().replace("\n", "\n  "))
                .append(String.format(Locale.ROOT, "\n    fed %,d lines, last write %.1f s ago", feeder.fed(),
                    feeder.sinceLastWrite() / 1e9));
        }
        for (CliSub sub : subs) {
            if (sub.child != null && sub.child.isAlive()) {
                processes.append("\n  ").append(sub.child.describe().replace("\n", "\n  "));
            }
        }
        long now = System.nanoTime();
        findings.error("hung: cli-sub episode " + number + ": " + what + "\n  "
            + TopicState.describe(busDir, TOPIC) + processes + "\n  before it: "
            + log.before(now, hangLimit.toSeconds() + 5.0));
    }

    /** Checks every output file; reports what each lost, repeated or cut, exactly. */
    private void check(Map<Integer, Long> published) throws IOException {
        for (CliSub sub : subs) {
            boolean durable = sub == audit;
            byte[] content = Files.readAllBytes(sub.file);
            CliOutputCheck.Result result = CliOutputCheck.check(content, sub.kills, published,
                durable && !published.isEmpty(), !durable && sub.leftByKill);
            tallies.cli("lines_checked", result.lines());
            tallies.cli("lost", result.lost());
            tallies.cli("duplicated", result.duplicated());
            tallies.cli("redelivered", result.redelivered());
            tallies.cli("out_of_order", result.outOfOrder());
            tallies.cli("half_lines", result.halfLines());
            tallies.cli("bad_lines", result.bad());
            if (result.failed()) {
                findings.error(String.format(Locale.ROOT, "cli-sub episode %d: ./bus sub %s (%s, %d incarnation%s,"
                    + " killed -9 %d times, %,d bytes) lost %,d lines, duplicated %,d, out of order %,d, half lines %d,"
                    + " bad lines %d (redelivered after a kill: %,d):\n    %s", number, String.join(" ", sub.args),
                    sub.label, sub.incarnations, sub.incarnations == 1 ? "" : "s", sub.kills.size(), content.length,
                    result.lost(), result.duplicated(), result.outOfOrder(), result.halfLines(), result.bad(),
                    result.redelivered(), String.join("\n    ", result.details())));
            }
        }
        tallies.cli("episodes", 1);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
