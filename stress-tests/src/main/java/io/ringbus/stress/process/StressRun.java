package io.ringbus.stress.process;

import io.ringbus.core.RingBusException;
import io.ringbus.core.os.MappedFile;
import io.ringbus.core.os.SharedFiles;
import io.ringbus.core.topic.TopicDescriptor;
import io.ringbus.core.topic.TopicFile;
import io.ringbus.transport.frame.FrameDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One {@code bus stress} run: N publisher processes and M subscriber processes on one topic in a
 * fresh bus directory, with faults injected ({@link FaultInjector}) for a duration or a message
 * count; then the publishers stop, the subscribers drain, and the figures are added up.
 *
 * <pre>
 *   pub-0 ─┐                                    ┌─▶ sub-0 (durable: resumes after a kill)
 *   pub-1 ─┼─▶ topic "stress" (64 KiB ring) ────┼─▶ sub-1
 *          │    bus dir: SCRATCH/bus            │      each checks every message: CRC32C, and each
 *          │                                    │      publisher id's sequence; its figures go to a
 *   faults: kill -9, crash points, SIGSTOP,     ├─▶ joiners (earliest, latest, durable): join and leave
 *   a busy process beside the bus,              │      stats file that outlives a kill -9
 *   and episodes: victim topic (truncate, scribble), full tmpfs, the bus CLI's own pub and sub
 *   (topic "cli", output files checked; topic "cli-victim" truncated under them)
 *          ▲ READY, CRASHPOINT, ERROR lines; GO, ARM, STOP commands; stats files: SCRATCH/work
 *          └──── this process, which also watches every process for hangs ({@link HangWatch})
 * </pre>
 *
 * <p>On a stream path ({@code --via pipe|fifo|unix|tcp}) this process also hosts a {@link StressBridge}
 * over the bus directory, and every child (the victim topic's too; the full-fs episode's bus is the
 * tmpfs, so it stays on shm) connects through it. Crash points are skipped there (they stop a shm
 * writer: the bridge, in this process). What a killed stream publisher's {@code offer} accepted but
 * the bridge never published is counted apart ({@code in_flight_at_kill}), and so is what a killed
 * durable stream subscriber's stream held ({@code durable_in_flight_gap}, bounded by
 * {@link Via#forwardingWindowBytes} per kill).
 *
 * <p>On {@code --via aeron} the subscribers read a second bus, B, which two gateway processes fill from the
 * publishers' bus A over loopback UDP ({@link StressGateways}: an evictable exporter, so untethered), and
 * {@code gateway-kill} kills them. What the subscribers receive must be in order per publisher with no
 * duplicate, and every message missing must come right after one of the importer's in-band loss notices:
 * counted as {@code announced_lost}, not lost. At the end the harness publishes an end marker into bus A, so that
 * a loss at the very end is announced too, and the drain waits for it.
 *
 * <p>Evictable subscribers ({@code --evictable}) are checked the same way: publishers evict one that stalls (a
 * {@code sub-stop} longer than {@link StressOptions#EVICT_AFTER_MILLIS}), and each message it misses must come right
 * after a loss report of its {@code LossListener}; the end marker is published for them too.
 *
 * <p>Every child's standard error is watched for a Java stack trace; each one found is a finding.
 *
 * <p>At the end the harness removes the topic files it made (as {@code bus clean} does: only when it
 * can take every slot lock, so no live process holds them); what is left in the bus directory then is
 * a leftover (a {@code .creating-*} file, a topic some process still holds, anything else). The
 * scratch directory is removed.
 */
public final class StressRun {
    /** Java frames a crash summary shows at most, looking for the first one outside the JDK. */
    static final int CRASH_FRAMES = 12;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);
    private static final long PROGRESS_NANOS = 250_000_000L;
    private static final long HANG_CHECK_NANOS = 100_000_000L;
    /**
     * A stall this long is an error: the longest a fault holds the bus up by design is a SIGSTOP (0.8 s)
     * or a durable subscriber's restart (a JVM start, a few seconds on two busy cores).
     */
    private static final Duration STALL_LIMIT = Duration.ofSeconds(30);
    /**
     * {@code --via aeron}: how long a stalled gateway may hold the publishers of bus A back before it is evicted
     * (and its importer announces what it missed): short, so that the untethered path is exercised.
     */
    private static final long GATEWAY_EVICT_AFTER_MILLIS = 1_000;

    private final StressOptions options;
    private final Findings findings = new Findings();
    private final Tallies tallies = new Tallies();
    private double longestStallMillis;
    private EventLog log;
    private HangWatch hangs;
    private long stackTraces;
    private StressGateways gateways;

    /** A run with these options. */
    public StressRun(StressOptions options) {
        this.options = options.conclude();
    }

    /** Runs, calling {@code progress} a few times a second from this thread; returns the figures. */
    public StressFigures run(Consumer<Progress> progress) {
        Path scratch;
        try {
            scratch = Files.createTempDirectory(options.scratchParent(), "ringbus-stress-");
            Files.createDirectories(scratch.resolve("work"));
        } catch (IOException e) {
            throw new StressException("cannot make a scratch directory in " + options.scratchParent() + ": "
                + e.getMessage(), e);
        }
        Path busDir = scratch.resolve("bus");
        Path workDir = scratch.resolve("work");
        boolean gateway = options.via().gateway();
        Path subscriberBusDir = gateway ? scratch.resolve("bus-b") : busDir;
        StressBridge bridge;
        Launcher launcher;
        try {
            if (options.via().stream()) {
                SharedFiles.ensureDirectory(busDir);
                bridge = StressBridge.start(options.via(), busDir, scratch, findings);
                StressBridge served = bridge;
                launcher = new Launcher(workDir, options.via(), bridge.uri(), name -> served.servePipe(workDir, name));
            } else {
                bridge = null;
                launcher = new Launcher(workDir, options.via());
            }
        } catch (RuntimeException e) {
            deleteTree(scratch);
            throw new StressException("cannot start the bridge for --via " + options.via().label() + ": "
                + e.getMessage(), e);
        }
        if (gateway) {
            startGateways(scratch, busDir, subscriberBusDir, workDir);
        }
        log = new EventLog(System.nanoTime());
        MainTopic topic = new MainTopic(options, launcher, busDir, subscriberBusDir, findings, log);
        Thread cleanup = new Thread(() -> {
            ChildProcess.destroyEveryone();
            FullFileSystemEpisode.unmountAfterInterrupt();
            deleteTree(scratch);
        }, "stress-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            Counted counted;
            List<String> anomalies;
            double seconds;
            try {
                topic.start();
                if (options.selfTest().contains("leftover")) {
                    Files.writeString(busDir.resolve(".creating-selftest.1.0"), "self-test leftover");
                }
                long start = System.nanoTime();
                hangs = new HangWatch(topic, options.hangLimit(), subscriberBusDir, options.via().stream(), tallies,
                    findings, log);
                if (gateways != null) {
                    hangs.upstreamDown(gateways::restarting);
                }
                Episodes episodes = new Episodes(launcher, busDir, options, tallies, findings, log);
                Joins joins = new Joins(topic, hangs, tallies, findings, log, options.seed() + 2);
                Contention contention = new Contention(launcher, tallies, findings, log, options.seed() + 3);
                FaultInjector injector = new FaultInjector(options, topic, episodes, joins, contention, tallies,
                    findings, log, gateways);
                Thread faults = Thread.ofPlatform().name("stress-faults").start(injector);
                try {
                    watch(topic, launcher.workDir(), start, progress);
                } finally {
                    injector.requestStop();
                    faults.join();
                }
                seconds = (System.nanoTime() - start) / 1e9;
                topic.heal();
                healGateways();
                topic.stopPublishers(STOP_TIMEOUT);
                MainTopic.Pub marker = gateways == null && options.evictable() == 0 ? null : topic.publishEndMarker();
                drain(topic, marker);
                topic.stopSubscribers(STOP_TIMEOUT);
                counted = count(topic);
                anomalies = anomalies(topic);
            } finally {
                topic.destroyAll();
                if (gateways != null) {
                    gateways.close();
                }
                topic.closeStats();
                int running = ChildProcess.destroyEveryone();
                if (running > 0) {
                    findings.error(running + " child processes were still running after the run");
                }
                if (bridge != null) {
                    bridge.close();
                }
            }
            List<String> leftovers = new ArrayList<>(removeTopicsAndList(busDir));
            if (gateway) {
                removeTopicsAndList(subscriberBusDir).forEach(file -> leftovers.add("bus-b/" + file));
            }
            long crashes = crashReports(launcher.workDir());
            stackTraces = stackTraces(launcher);
            return figures(counted, anomalies, seconds, leftovers, crashes,
                bridge == null ? Map.of() : bridge.figures(), gateways == null ? Map.of() : gateways.figures());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StressException("interrupted", e);
        } catch (IOException e) {
            throw new StressException("cannot write in " + busDir + ": " + e.getMessage(), e);
        } finally {
            deleteTree(scratch);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException ignored) {
                // Shutting down already: the hook does the same.
            }
        }
    }

    /**
     * {@code --via aeron}: both buses with the main topic in the run's shape, then the importing gateway on bus B
     * and the exporting one on bus A.
     */
    private void startGateways(Path scratch, Path busDir, Path subscriberBusDir, Path workDir) {
        try {
            SharedFiles.ensureDirectory(busDir);
            SharedFiles.ensureDirectory(subscriberBusDir);
            MainTopic.create(busDir, options);
            MainTopic.create(subscriberBusDir, options);
            gateways = StressGateways.start(workDir, busDir, subscriberBusDir, GATEWAY_EVICT_AFTER_MILLIS);
        } catch (RuntimeException e) {
            ChildProcess.destroyEveryone();
            deleteTree(scratch);
            throw new StressException("cannot start the gateways for --via aeron: " + e.getMessage(), e);
        }
    }

    /** Runs until the duration or the count is reached: stalls noted, progress reported. */
    private void watch(MainTopic topic, Path workDir, long start, Consumer<Progress> progress)
        throws InterruptedException {
        long end = start + options.duration().toNanos();
        long lastReceived = -1;
        long lastMove = System.nanoTime();
        long nextProgress = start;
        long lastCommitted = 0;
        long lastRateAt = start;
        double rate = 0;
        long crashes = 0;
        boolean stallReported = false;
        long nextHangCheck = start;
        // With --count, a 30 s stall ends the run (the count would never be reached); it is an error anyway.
        while (options.count() > 0 ? !topic.quotasDone() && !stallReported : System.nanoTime() - end < 0) {
            Thread.sleep(10);
            long now = System.nanoTime();
            if (now - nextHangCheck >= 0) {
                nextHangCheck = now + HANG_CHECK_NANOS;
                hangs.check();
            }
            long received = 0;
            for (MainTopic.Sub ledger : topic.ledgers()) {
                received += ledger.stats.get(StatsFile.RECEIVED);
            }
            if (received != lastReceived) {
                lastReceived = received;
                lastMove = now;
                stallReported = false;
            } else {
                longestStallMillis = Math.max(longestStallMillis, (now - lastMove) / 1e6);
                if (!stallReported && now - lastMove > STALL_LIMIT.toNanos()) {
                    stallReported = true;
                    findings.error("no subscriber received anything for " + STALL_LIMIT.toSeconds() + " s (at "
                        + log.at(now) + "; " + log.before(now, STALL_LIMIT.toSeconds() + 5) + ")");
                }
            }
            if (now - nextProgress >= 0) {
                nextProgress = now + PROGRESS_NANOS;
                long committed = committedSoFar(topic);
                if (now - lastRateAt >= 1_000_000_000L) {
                    rate = (committed - lastCommitted) * 1e9 / (now - lastRateAt);
                    lastCommitted = committed;
                    lastRateAt = now;
                    crashes = countCrashReports(workDir);
                }
                progress.accept(new Progress((now - start) / 1e9, options.count() > 0 ? 0
                    : options.duration().toNanos() / 1e9, committed, Math.max(0, options.count()), rate,
                    tallies.total(), errorsSoFar(topic) + crashes));
            }
        }
    }

    private static long committedSoFar(MainTopic topic) {
        long committed = 0;
        for (MainTopic.Pub pub : topic.allPubs()) {
            committed += pub.stats.get(StatsFile.COMMITTED);
        }
        return committed;
    }

    private long errorsSoFar(MainTopic topic) {
        long errors = findings.count();
        for (MainTopic.Sub ledger : topic.ledgers()) {
            errors += ledger.stats.get(StatsFile.GAPS) + ledger.stats.get(StatsFile.DUPLICATED)
                + ledger.stats.get(StatsFile.OUT_OF_ORDER) + ledger.stats.get(StatsFile.TORN);
        }
        return errors;
    }

    /**
     * Waits until every live subscriber has everything it must receive. On a stream path what a killed
     * publisher committed is what reached the ring, known only from what subscribers received: the
     * targets are taken again until they hold and nothing has arrived for half a second.
     */
    private void drain(MainTopic topic, MainTopic.Pub marker) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        // Over the gateways, and to an evictable subscriber, a message may be lost (announced): what is owed is
        // the end marker, behind everything.
        boolean stream = options.via().stream() || marker != null;
        long lastReceived = -1;
        long quietSince = System.nanoTime();
        while (true) {
            hangs.check();
            String missing = null;
            for (MainTopic.Sub sub : topic.currentSubs()) {
                boolean mayLose = gateways != null || sub.evictable;
                for (MainTopic.Pub pub : mayLose ? List.of(marker) : topic.allPubs()) {
                    long target = topic.committed(pub);
                    if (missing == null && sub.requiredFrom(pub) < target && sub.stats.next(pub.id) < target
                        && sub.child != null && sub.child.isAlive()) {
                        missing = topic.subscriberName(sub.role) + " did not receive everything within "
                            + DRAIN_TIMEOUT.toSeconds() + " s of the publishers' stop: " + sub.child.describe();
                    }
                }
            }
            long received = 0;
            for (MainTopic.Sub ledger : topic.ledgers()) {
                received += ledger.stats.get(StatsFile.RECEIVED);
            }
            long now = System.nanoTime();
            if (received != lastReceived) {
                lastReceived = received;
                quietSince = now;
            }
            if (missing == null && (!stream || now - quietSince > 500_000_000L)) {
                return;
            }
            if (now - deadline > 0) {
                findings.error(missing != null ? missing : "subscribers still received messages "
                    + DRAIN_TIMEOUT.toSeconds() + " s after the publishers' stop");
                return;
            }
            Thread.sleep(10);
        }
    }

    /** Restarts a gateway that ended by itself (an error); nothing on a run without gateways. */
    private void healGateways() {
        if (gateways == null) {
            return;
        }
        try {
            String ended = gateways.heal();
            if (ended != null) {
                findings.error("a gateway ended by itself: " + ended);
            }
        } catch (RuntimeException e) {
            findings.error("restarting a gateway: " + e.getMessage());
        }
    }

    /**
     * What a subscriber lacks of one publisher's committed messages: {@code lost}, or {@code inFlight} (a
     * durable stream subscriber's, which may have been in a killed incarnation's stream; the caller bounds
     * it by the forwarding window per kill).
     */
    record Shortfall(long lost, long inFlight) {
        /**
         * @param streamDurable a durable subscriber on a stream path
         * @param liveAtEnd     whether it was there at the end (so owes everything up to {@code committed})
         * @param committed     what the publisher committed
         * @param from          the first sequence the subscriber owes
         * @param first         its first sequence accepted + 1 (0: none)
         * @param next          its highest sequence accepted + 1 (0: none)
         * @param resumedAt     {@code next} + 1 when its last durable resume began (0: no resume)
         */
        static Shortfall of(boolean streamDurable, boolean liveAtEnd, long committed, long from, long first,
            long next, long resumedAt) {
            if (streamDurable && resumedAt > 0 && resumedAt - 1 == next) {
                // Nothing of this publisher since the last resume: the rest may have been in the killed
                // incarnation's stream.
                return new Shortfall(0, committed - Math.max(next, from));
            }
            if (next == 0) {
                return new Shortfall(liveAtEnd ? committed - from : 0, 0);
            }
            long before = Math.max(0, first - 1 - from);
            long after = liveAtEnd ? Math.max(0, committed - next) : 0;
            if (streamDurable && resumedAt == 1) {
                // Its first message of this publisher came after the last resume and none before it: what it
                // lacks before that one is what the bridge had written into the stream of the incarnation
                // killed before it read anything of this publisher (a resume gap the check could not see as
                // one, having no sequence to compare with).
                return new Shortfall(after, before);
            }
            return new Shortfall(before + after, 0);
        }
    }

    /** Message figures, added up from every stats file. */
    private record Counted(String setup, long sent, long committed, Map<String, Long> received, long lost,
        long duplicated, long outOfOrder, long torn, long windowRepeats, long inFlightAtKill,
        long durableInFlightGap, long windowBytes, long announcedLost, long unsureGaps, long evictableReports,
        long evictableAnnounced) {
    }

    private Counted count(MainTopic topic) {
        List<MainTopic.Pub> pubs = topic.allPubs();
        long[] committed = new long[pubs.size()];
        long sent = 0;
        long committedTotal = 0;
        long inFlightAtKill = 0;
        for (int i = 0; i < pubs.size(); i++) {
            committed[i] = topic.committed(pubs.get(i));
            inFlightAtKill += topic.inFlightAtKill(pubs.get(i));
            long ledger = pubs.get(i).stats.get(StatsFile.COMMITTED);
            if (pubs.get(i).diedAtCrashPoint && committed[i] > ledger) {
                findings.error("message " + ledger + " of publisher " + pubs.get(i).id + " was delivered, though its"
                    + " publisher was killed at a crash point before committing it");
                committed[i] = ledger;
            }
            sent += Math.max(pubs.get(i).stats.get(StatsFile.SENT), committed[i]);
            committedTotal += committed[i];
        }
        Map<String, Long> received = new LinkedHashMap<>();
        for (int role = 0; role < options.subscribers(); role++) {
            received.put(topic.subscriberName(role), 0L);
        }
        long lost = 0;
        long duplicated = 0;
        long outOfOrder = 0;
        long torn = 0;
        long windowRepeats = 0;
        boolean stream = options.via().stream();
        long windowBytes = stream ? options.via().forwardingWindowBytes(options.maxMessage()) : 0;
        MessageSizes sizes = MessageSizes.parse(options.size(), options.maxMessage());
        long windowMessages = windowBytes / (FrameDescriptor.HEADER_LENGTH
            + (sizes.fixed() > 0 ? sizes.fixed() : StressMessage.HEADER_LENGTH));
        long durableInFlightGap = 0;
        boolean gateway = gateways != null;
        long announcedLost = 0;
        long unsureGaps = 0;
        long unsure = gateway ? gateways.unsure() : 0;
        long evictableReports = 0;
        long evictableAnnounced = 0;
        for (MainTopic.Sub ledger : topic.ledgers()) {
            StatsFile stats = ledger.stats;
            long ledgerLost = 0;
            long ledgerAnnounced = stats.get(StatsFile.ANNOUNCED_LOST);
            long notices = stats.get(StatsFile.NOTICES);
            boolean liveAtEnd = ledger.durable()
                || (ledger == topic.currentSub(ledger.role) && ledger.child != null && !ledger.child.killed());
            long gaps = stats.get(StatsFile.GAPS);
            ledgerLost += gaps;
            long resumeGaps = stats.get(StatsFile.RESUME_GAPS);
            long accepted = -gaps - resumeGaps - ledgerAnnounced;
            long inFlight = resumeGaps;
            for (int i = 0; i < pubs.size(); i++) {
                MainTopic.Pub pub = pubs.get(i);
                long next = stats.next(pub.id);
                long first = stats.first(pub.id);
                if (next > 0) {
                    accepted += next - (first - 1);
                }
                long from = ledger.requiredFrom(pub);
                if (from >= committed[i]) {
                    continue;
                }
                if (gateway || ledger.evictable) {
                    // Missing messages of this publisher that no notice came after are lost; the rest announced.
                    long leading = next == 0 ? 0 : Math.max(0, first - 1 - from);
                    long trailing = liveAtEnd ? Math.max(0, committed[i] - Math.max(next, from)) : 0;
                    boolean leadingAnnounced = next != 0 && stats.noticesAtFirst(pub.id) > 0;
                    boolean trailingAnnounced = notices > stats.noticesAtLast(pub.id);
                    ledgerLost += (leadingAnnounced ? 0 : leading) + (trailingAnnounced ? 0 : trailing);
                    ledgerAnnounced += (leadingAnnounced ? leading : 0) + (trailingAnnounced ? trailing : 0);
                } else {
                    Shortfall shortfall = Shortfall.of(stream && ledger.durable(), liveAtEnd, committed[i], from,
                        first, next, stats.resumedAt(pub.id));
                    ledgerLost += shortfall.lost();
                    inFlight += shortfall.inFlight();
                }
            }
            long allowed = Math.max(0, stats.get(StatsFile.INCARNATIONS) - 1) * windowMessages;
            durableInFlightGap += Math.min(inFlight, allowed);
            ledgerLost += Math.max(0, inFlight - allowed);
            // A killed importer's UNSURE message, when it was not published, is a gap no notice can announce.
            long coveredByUnsure = Math.min(ledgerLost, unsure);
            unsureGaps += coveredByUnsure;
            lost += ledgerLost - coveredByUnsure;
            announcedLost += ledgerAnnounced;
            if (ledger.evictable) {
                evictableReports += notices;
                evictableAnnounced += ledgerAnnounced;
            }
            received.merge(topic.subscriberName(ledger.role), accepted, Long::sum);
            duplicated += stats.get(StatsFile.DUPLICATED);
            outOfOrder += stats.get(StatsFile.OUT_OF_ORDER);
            torn += stats.get(StatsFile.TORN);
            windowRepeats += stats.get(StatsFile.WINDOW_REPEATS);
        }
        return new Counted(setup(), sent, committedTotal, received, lost, duplicated, outOfOrder, torn,
            windowRepeats, inFlightAtKill, durableInFlightGap, windowBytes, announcedLost, unsureGaps, evictableReports,
            evictableAnnounced);
    }

    private String setup() {
        String faults = options.rates().isEmpty() ? "no faults"
            : options.rates().size() == FaultKind.values().length ? "every fault" : options.rates().size() + " faults";
        return String.format(Locale.ROOT, "ringbus stress: %d publisher processes, %d subscriber processes (%d"
            + " durable, %d evictable) on one %d KiB topic over %s, messages %s, %s, %s, seed %d", options.publishers(),
            options.subscribers(), options.durable(), options.evictable(), options.capacity() / 1024,
            options.via().label(),
            MessageSizes.parse(options.size(), options.maxMessage()),
            options.count() > 0 ? options.count() + " messages" : options.duration().toSeconds() + " s", faults,
            options.seed());
    }

    /**
     * What the main topic's subscribers reported going wrong (torn messages, gaps, repeats, disorder:
     * the first few of each process), each beside the faults of the two seconds before it.
     */
    private List<String> anomalies(MainTopic topic) {
        List<String> anomalies = new ArrayList<>();
        for (String slow : tallies.slowUnblocks()) {
            anomalies.add("SLOW UNBLOCK " + slow);
        }
        for (MainTopic.Sub sub : topic.allSubs()) {
            if (sub.child == null) {
                continue;
            }
            for (String line : sub.child.lines(l -> l.startsWith("TORN ") || l.startsWith("GAP ")
                || l.startsWith("DUPLICATE ") || l.startsWith("DISORDER "))) {
                String[] words = line.split(" ", 3);
                long time = Long.parseLong(words[1]);
                anomalies.add(words[0] + " at " + log.at(time) + " in " + sub.child.name() + ": " + words[2]
                    + " | before it: " + log.before(time, 2));
                if (anomalies.size() >= 40) {
                    return anomalies;
                }
            }
        }
        return anomalies;
    }

    private StressFigures figures(Counted counted, List<String> anomalies, double seconds, List<String> leftovers,
        long crashes, Map<String, Long> bridge, Map<String, Long> gatewayFigures) {
        Counted c = counted;
        Map<String, Long> faults = new LinkedHashMap<>();
        tallies.injected().forEach((kind, count) -> faults.put(kind.label(), count));
        Map<String, Long> notReached = new LinkedHashMap<>();
        tallies.notReached().forEach((kind, count) -> notReached.put(kind.label(), count));
        Map<String, String> skipped = new LinkedHashMap<>();
        tallies.skipped().forEach((kind, why) -> skipped.put(kind.label(), why));
        Map<String, Long> hostile = new LinkedHashMap<>();
        tallies.hostile(h -> {
            hostile.put("episodes", h.episodes);
            hostile.put("typed_errors", h.typedErrors);
            hostile.put("carried_on", h.carriedOn);
            hostile.put("rejected_by_crc", h.crcRejected);
            hostile.put("untyped_errors", h.untypedErrors);
            hostile.put("hangs", h.hangs);
            hostile.put("crashes", h.crashes);
        });
        Map<String, Long> fullFs = new LinkedHashMap<>();
        tallies.fullFs(f -> {
            fullFs.put("episodes", f.episodes);
            fullFs.put("file_system_full_errors", f.typedErrors);
            fullFs.put("existing_topic_committed", f.existingCommitted);
            fullFs.put("existing_topic_lost", f.existingLost);
            fullFs.put("existing_topic_bad", f.existingBad);
        });
        return new StressFigures(c.setup(), seconds, c.sent(), c.committed(), c.received(), c.lost(),
            c.duplicated(), c.outOfOrder(), c.torn(), c.windowRepeats(), tallies.durableKills(), c.inFlightAtKill(),
            c.durableInFlightGap(), c.windowBytes(), bridge, faults, notReached, skipped,
            Percentiles.of(tallies.unblockMillis()), Percentiles.of(tallies.subscriberUnblockMillis()),
            longestStallMillis, hostile, fullFs, crashes, leftovers, findings.errors(), anomalies,
            tallies.hungCount(), stackTraces, tallies.joins(), tallies.busy(), tallies.cli(), options.seed(),
            Percentiles.of(tallies.busyUnblockMillis()), c.announcedLost(), c.unsureGaps(), gatewayFigures,
            evictableFigures(c));
    }

    /** The evictable subscribers' figures: none without them. */
    private Map<String, Long> evictableFigures(Counted c) {
        Map<String, Long> figures = new LinkedHashMap<>();
        if (options.evictable() > 0) {
            figures.put("subscribers", (long) options.evictable());
            figures.put("loss_reports", c.evictableReports());
            figures.put("announced_lost", c.evictableAnnounced());
        }
        return figures;
    }

    /**
     * Removes the topics the run made, each only when every one of its slot locks can be taken (no
     * live process holds it), and lists what is left in the bus directory.
     */
    private List<String> removeTopicsAndList(Path busDir) {
        if (!Files.isDirectory(busDir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        for (String name : List.of(MainTopic.NAME, HostileEpisode.TOPIC)) {
            Path file = TopicFile.pathOf(busDir, name);
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                removeTopic(file);
            }
        }
        try (Stream<Path> files = Files.list(busDir)) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void removeTopic(Path file) {
        TopicFile topic;
        try {
            topic = TopicFile.tryOpen(file, SharedFiles.FILE_MODE);
        } catch (RingBusException e) {
            findings.error("cannot open " + file + " to remove it: " + e.getMessage());
            return;
        }
        if (topic == null) {
            return;
        }
        try (topic) {
            MappedFile mapped = topic.file();
            List<Long> locks = new ArrayList<>();
            locks.add(TopicDescriptor.SWEEP_LOCK_BYTE);
            for (int i = 0; i < topic.publisherSlots(); i++) {
                locks.add(TopicDescriptor.publisherLockByte(i));
            }
            for (int i = 0; i < topic.ring().maxCursors(); i++) {
                locks.add(TopicDescriptor.subscriberLockByte(i));
            }
            List<Long> taken = new ArrayList<>();
            try {
                for (long lock : locks) {
                    if (!mapped.tryLockByte(lock)) {
                        findings.error("a live process still holds " + file + " after the run");
                        return;
                    }
                    taken.add(lock);
                }
                Files.delete(file);
            } catch (IOException e) {
                findings.error("cannot remove " + file + ": " + e.getMessage());
            } finally {
                taken.forEach(mapped::unlockByte);
            }
        }
    }

    /**
     * Every child whose standard error held a Java stack trace ({@code Exception in thread} or
     * {@code \tat } lines): each is a finding, with the first lines of its trace. Returns how many.
     */
    private long stackTraces(Launcher launcher) {
        long traced = 0;
        List<ChildProcess> children = new ArrayList<>(launcher.children());
        if (gateways != null) {
            children.addAll(gateways.incarnations());
        }
        for (ChildProcess child : children) {
            List<String> trace = child.stackTrace();
            if (!trace.isEmpty()) {
                traced++;
                findings.error("stack trace on the standard error of " + child.name() + " (pid " + child.pid() + ", "
                    + (child.isAlive() ? "alive" : "exit " + child.exitCode()) + "): "
                    + String.join(" | ", trace).replace("\t", ""));
            }
        }
        return traced;
    }

    private long crashReports(Path workDir) {
        try (Stream<Path> files = Files.list(workDir)) {
            List<Path> reports = files.filter(p -> p.getFileName().toString().startsWith("hs_err")).sorted().toList();
            for (Path report : reports) {
                findings.error("JVM crash: " + report.getFileName() + ": " + crashSummary(report));
            }
            return reports.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long countCrashReports(Path workDir) {
        try (Stream<Path> files = Files.list(workDir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("hs_err")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The signal, the problematic frame and the Java frames (j: interpreted, J: compiled) of a report from the
     * top down to the first one outside the JDK (the code that crashed), {@link #CRASH_FRAMES} at most: how
     * many JDK frames lie above it depends on what the JIT had compiled (four in one run, two in another).
     */
    static String crashSummary(Path report) {
        try {
            // Latin-1 reads any byte: a report may hold bytes that are not UTF-8.
            List<String> lines = Files.readAllLines(report, StandardCharsets.ISO_8859_1);
            List<String> kept = new ArrayList<>(lines.stream().filter(line -> line.startsWith("# SIG")
                || line.startsWith("# Problematic") || line.startsWith("# C ") || line.startsWith("# J ")
                || line.startsWith("# j ") || line.startsWith("# V ")).limit(4).toList());
            int frames = 0;
            for (String line : lines) {
                if ((line.startsWith("j ") || line.startsWith("J ")) && frames++ < CRASH_FRAMES) {
                    kept.add(line);
                    if (!line.contains(" java.base@")) {
                        break;
                    }
                }
            }
            return String.join(" | ", kept);
        } catch (IOException | UncheckedIOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Deletes a tree without following symbolic links; best effort. */
    static void deleteTree(Path top) {
        if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(top)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException ignored) {
            // Best effort; what is left is reported by the next run's leftover count only if in its directory.
        }
    }
}
