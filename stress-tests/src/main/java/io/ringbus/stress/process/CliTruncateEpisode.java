package io.ringbus.stress.process;

import io.ringbus.core.topic.TopicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code cli-truncate} fault: a peer truncates a topic ({@value #TOPIC}, 64 KiB, shm) while
 * {@code bus pub} writes to it, fed flat out, and (in half the episodes, and a run's second; in the
 * others, and a run's first, the publisher runs alone, as fast as it can) {@code bus sub} prints it to a
 * file (as {@link HostileEpisode} does to the stress processes: to 0, one page, the header alone, half,
 * or all but the last page). Within {@link HostileEpisode#OBSERVE} each must either end with the CLI's
 * one-line error (exit 1, one line {@code bus pub: ...} on standard error) or carry on; then the ones
 * that carried on are ended, each within {@link #EXIT}: the subscriber first (SIGTERM: exit 143 or the
 * one-line error; it may have waited for lines a broken ring no longer brings, which holds the publisher
 * back), then the publisher (its input ends: exit 0 or the one-line error). Anything else is a finding:
 * another exit code, more than one line on standard error, a JVM crash, a stack trace (the run finds
 * those on every child's standard error), a process that does not end (hung).
 */
final class CliTruncateEpisode {
    static final String TOPIC = "cli-victim";
    private static final Duration FLOWING = Duration.ofSeconds(20);
    private static final Duration EXIT = Duration.ofSeconds(10);

    private final Launcher launcher;
    private final Path busDir;
    private final String cliMain;
    private final Tallies tallies;
    private final Findings findings;
    private final EventLog log;
    private final SplittableRandom random;
    private final int number;
    /** Which cli-truncate episode of the run this is, from 1: the first two try both variants. */
    private final int count;

    CliTruncateEpisode(Launcher launcher, Path busDir, String cliMain, Tallies tallies, Findings findings,
        EventLog log, long seed, int number, int count) {
        this.launcher = launcher;
        this.busDir = busDir;
        this.cliMain = cliMain;
        this.tallies = tallies;
        this.findings = findings;
        this.log = log;
        this.random = new SplittableRandom(seed);
        this.number = number;
        this.count = count;
    }

    void run() throws IOException {
        Path dir = Files.createDirectories(launcher.workDir().resolve("cli-truncate-" + number));
        Path file = TopicFile.pathOf(busDir, TOPIC);
        ChildProcess sub = null;
        CliFeeder feeder = null;
        boolean withSub = random.nextBoolean();
        if (count <= 2) {
            withSub = count == 2; // a short run sees both: the publisher alone first, then beside a subscriber
        }
        try {
            Path output = dir.resolve("sub.out");
            if (withSub) {
                sub = launcher.cli("cli-truncate" + number + "-sub", cliMain, List.of("sub", TOPIC, "--dir",
                    busDir.toString(), "--capacity", "64k"), output);
                awaitJoined(sub);
            }
            ChildProcess pub = launcher.cli("cli-truncate" + number + "-pub", cliMain, List.of("pub", TOPIC, "--dir",
                busDir.toString(), "--capacity", "64k"), dir.resolve("pub.out"));
            feeder = new CliFeeder(pub, 1, random.nextLong());
            if (!awaitFlowing(sub, feeder, new CliTail(output))) {
                return;
            }
            tallies.injected(FaultKind.CLI_TRUNCATE);
            String what = HostileEpisode.truncate(file, random);
            log.add("cli-truncate: " + what + " under " + pub.name() + (withSub ? " and " + sub.name() : " alone"));
            long observeUntil = System.nanoTime() + HostileEpisode.OBSERVE.toNanos();
            while (System.nanoTime() - observeUntil < 0 && (withSub && sub.isAlive() || pub.isAlive())) {
                LockSupport.parkNanos(50_000_000L);
            }
            String context = "cli-truncate (" + what + (withSub ? "" : ", publisher alone") + ")";
            // The subscriber first: one that carried on may wait for lines a broken ring no longer brings,
            // and a publisher waits for it (it never drops a line), so it is released before it is judged.
            if (withSub) {
                boolean subCarriedOn = sub.isAlive();
                if (subCarriedOn) {
                    sub.signal(ChildProcess.SIGTERM);
                }
                end(sub, 143, subCarriedOn, context);
            }
            boolean pubCarriedOn = pub.isAlive();
            if (pubCarriedOn) {
                feeder.finish(EXIT.toMillis());
            }
            end(pub, 0, pubCarriedOn, context);
            tallies.cli("truncate_episodes", 1);
        } finally {
            if (feeder != null) {
                feeder.pub().destroy();
                feeder.finish(1000);
            }
            if (sub != null) {
                sub.destroy();
            }
            Files.deleteIfExists(file);
            StressRun.deleteTree(dir);
        }
    }

    /**
     * Waits until lines flow: 100 printed by the subscriber, or (publisher alone) 100,000 fed. False, with
     * a finding, when they do not within {@link #FLOWING}.
     */
    private boolean awaitFlowing(ChildProcess sub, CliFeeder feeder, CliTail tail) {
        long deadline = System.nanoTime() + FLOWING.toNanos();
        while (sub != null ? tail.upTo(1) < 100 : feeder.fed() < 100_000) {
            ChildProcess pub = feeder.pub();
            if (System.nanoTime() - deadline > 0 || sub != null && !sub.isAlive() || !pub.isAlive()) {
                findings.error("cli-truncate: no line went through topic " + TOPIC + " within " + FLOWING.toSeconds()
                    + " s\n  " + (sub != null ? sub.describe() + "\n  " : "") + pub.describe());
                return false;
            }
            LockSupport.parkNanos(10_000_000L);
            tail.poll();
        }
        return true;
    }

    private void awaitJoined(ChildProcess sub) {
        long deadline = System.nanoTime() + Launcher.START_TIMEOUT.toNanos();
        while (!TopicState.joined(busDir, TOPIC, sub.pid())) {
            if (!sub.isAlive() || System.nanoTime() - deadline > 0) {
                throw new StressException(sub.name() + " did not join topic " + TOPIC + ": " + sub.describe());
            }
            LockSupport.parkNanos(10_000_000L);
        }
    }

    /**
     * Judges one process once it was told to end (or ended by itself): exit 1 with the one-line error,
     * or (having carried on) {@code expected} with nothing on standard error.
     */
    private void end(ChildProcess child, int expected, boolean carriedOn, String context) {
        if (!child.awaitExit(EXIT)) {
            tallies.hung();
            tallies.cli("truncate_hangs", 1);
            findings.error("hung: " + child.name() + " did not end within " + EXIT.toSeconds() + " s of being told"
                + " to, after " + context + ": " + child.describe());
            child.kill9();
            return;
        }
        int code = child.exitCode();
        List<String> errors = child.errors().lines().filter(line -> !line.isBlank()).toList();
        boolean oneLine = errors.size() == 1 && errors.getFirst().matches("bus (pub|sub): .+");
        if (code == 1 && oneLine) {
            tallies.cli("truncate_one_line_errors", 1);
        } else if (carriedOn && code == expected && errors.isEmpty()) {
            tallies.cli("truncate_carried_on", 1);
        } else if (Files.exists(launcher.workDir().resolve("hs_err_pid" + child.pid() + ".log"))) {
            tallies.cli("truncate_crashes", 1);
            findings.error("JVM crash (hs_err) after " + context + ": " + child.describe());
        } else if (!child.stackTrace().isEmpty()) {
            tallies.cli("truncate_not_one_line", 1); // the run reports the stack trace itself, with its frames
        } else {
            tallies.cli("truncate_not_one_line", 1);
            findings.error("not a one-line error after " + context + ": " + child.name() + " exited " + code
                + " with " + errors.size() + " lines on standard error, the first: "
                + errors.stream().limit(3).toList());
        }
    }
}
