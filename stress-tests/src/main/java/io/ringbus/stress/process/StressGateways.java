package io.ringbus.stress.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The two gateways of a {@code --via aeron} run, each a child process ({@link StressGatewayMain}) with Aeron's
 * one JVM flag: one exports the main topic of bus A (where the publishers are) to a loopback UDP channel, the
 * other imports it into bus B (where the subscribers are).
 *
 * <pre>
 *   pub-N ─▶ bus A "stress" ─▶ gw-export ──UDP 127.0.0.1:PORT──▶ gw-import ─▶ bus B "stress" ─▶ sub-N
 *            (exporter: an evictable durable subscriber)          (LOSS notices in-band, before each gap)
 * </pre>
 *
 * <p>The exporter is untethered (evictable after {@code evictAfter}): a dead or slow link never holds the
 * publishers back for long, and what the far side misses is announced, in the topic, by the importer's loss
 * notice before the first message after the gap. {@link #killOne} is the {@code gateway-kill} fault: kill -9 of
 * one of them, a pause, and a new process in its place (an exporter resumes at its last commit, an importer at its
 * position file). Every incarnation's lines are kept for the figures: the LOSS lines of the importers (bytes of
 * source ring announced lost) and their UNSURE lines (a message a killed importer may or may not have published:
 * the one case an importer cannot announce).
 */
final class StressGateways implements AutoCloseable {
    private static final String AERON_FLAG = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    private static final Pattern IMPORT_LOSS = Pattern.compile("^LOSS import .* never arrived, (\\d+) bytes");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path workDir;
    private final Path busA;
    private final Path busB;
    private final String channel;
    private final long evictAfterMillis;
    private final List<ChildProcess> incarnations = new ArrayList<>();
    private ChildProcess exporter;
    private ChildProcess importer;
    private long kills;
    private volatile boolean restarting;
    private long exporterKills;

    private StressGateways(Path workDir, Path busA, Path busB, long evictAfterMillis) {
        this.workDir = workDir;
        this.busA = busA;
        this.busB = busB;
        this.channel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
        this.evictAfterMillis = evictAfterMillis;
    }

    /** Starts the importer on {@code busB}, then the exporter on {@code busA}; returns once both are READY. */
    static StressGateways start(Path workDir, Path busA, Path busB, long evictAfterMillis) {
        StressGateways gateways = new StressGateways(workDir, busA, busB, evictAfterMillis);
        try {
            gateways.importer = gateways.launch(false);
            gateways.exporter = gateways.launch(true);
        } catch (RuntimeException e) {
            gateways.close();
            throw e;
        }
        return gateways;
    }

    private ChildProcess launch(boolean export) {
        String name = export ? "gw-export" : "gw-import";
        ChildProcess child = ChildProcess.start(name, workDir, StressGatewayMain.class,
            List.of(AERON_FLAG, "-XX:TieredStopAtLevel=1"), List.of("--dir", (export ? busA : busB).toString(),
                "--topic", MainTopic.NAME, "--channel", channel, "--direction", export ? "export" : "import",
                "--evict-after", Long.toString(evictAfterMillis)));
        synchronized (this) {
            incarnations.add(child);
        }
        String line = child.awaitLine(l -> l.equals("READY") || l.startsWith("ERROR"), START_TIMEOUT);
        if (line == null || !line.equals("READY")) {
            child.destroy();
            throw new StressException(name + " did not start: " + (line != null ? line : "no READY within "
                + START_TIMEOUT.toSeconds() + " s") + "\n  " + child.describe());
        }
        return child;
    }

    /**
     * The exporter ({@code export}) or the importer killed -9, and after {@code pauseMillis} started again; returns
     * what happened, for the run's event log.
     */
    synchronized String killOne(boolean export, long pauseMillis) {
        ChildProcess victim = export ? exporter : importer;
        restarting = true;
        try {
            return replace(victim, export, pauseMillis);
        } finally {
            restarting = false;
        }
    }

    /** Whether a gateway is down by design: killed, and its successor not yet READY. */
    boolean restarting() {
        return restarting;
    }

    private String replace(ChildProcess victim, boolean export, long pauseMillis) {
        victim.kill9();
        kills++;
        if (export) {
            exporterKills++;
        }
        LockSupport.parkNanos(pauseMillis * 1_000_000L);
        ChildProcess successor = launch(export);
        if (export) {
            exporter = successor;
        } else {
            importer = successor;
        }
        return victim.name() + " (pid " + victim.pid() + "), replaced by pid " + successor.pid();
    }

    /** Restarts a gateway that ended without being killed (an error, returned as its description), or null. */
    synchronized String heal() {
        StringBuilder ended = new StringBuilder();
        for (boolean export : new boolean[] {true, false}) {
            ChildProcess child = export ? exporter : importer;
            if (child.isAlive()) {
                continue;
            }
            ended.append(child.describe()).append("; ");
            ChildProcess successor = launch(export);
            if (export) {
                exporter = successor;
            } else {
                importer = successor;
            }
        }
        return ended.isEmpty() ? null : ended.toString();
    }

    /** Every gateway process so far, for the harness's check of their standard error. */
    synchronized List<ChildProcess> incarnations() {
        return List.copyOf(incarnations);
    }

    /**
     * Messages the importers could not say whether they published (an importer killed between its commit into
     * bus B and the position file's update: its successor skips that message, unannounced): one per UNSURE line.
     */
    synchronized long unsure() {
        long unsure = 0;
        for (ChildProcess child : incarnations) {
            unsure += child.lines(line -> line.startsWith("UNSURE import")).size();
        }
        return unsure;
    }

    /** The figures: kills, and what the importers announced (LOSS lines, bytes of the source ring). */
    synchronized Map<String, Long> figures() {
        long losses = 0;
        long lostBytes = 0;
        long evictions = 0;
        for (ChildProcess child : incarnations) {
            evictions += child.lines(l -> l.startsWith("LOSS export")).size();
            for (String line : child.lines(l -> l.startsWith("LOSS import"))) {
                Matcher matcher = IMPORT_LOSS.matcher(line);
                if (matcher.find()) {
                    losses++;
                    lostBytes += Long.parseLong(matcher.group(1));
                }
            }
        }
        Map<String, Long> figures = new LinkedHashMap<>();
        figures.put("gateway_kills", kills);
        figures.put("exporter_kills", exporterKills);
        figures.put("importer_kills", kills - exporterKills);
        figures.put("exporter_evictions", evictions);
        figures.put("loss_notices_sent", losses);
        figures.put("announced_lost_bytes", lostBytes);
        figures.put("unsure_at_importer_kill", unsure());
        return figures;
    }

    /**
     * Stops both (STOP, then kill -9 after a while), then removes what a gateway keeps in its bus directory
     * between runs by design ({@code .aeron-*}: the driver's lock file, the importer's position file), so that
     * what is left there is a leftover of the bus.
     */
    @Override
    public synchronized void close() {
        for (ChildProcess child : new ChildProcess[] {exporter, importer}) {
            if (child != null && child.isAlive()) {
                child.send("STOP");
            }
        }
        for (ChildProcess child : new ChildProcess[] {exporter, importer}) {
            if (child != null && !child.awaitExit(Duration.ofSeconds(20))) {
                child.destroy();
            }
        }
        for (Path dir : List.of(busA, busB)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.getFileName().toString().startsWith(".aeron-")).toList()) {
                    StressRun.deleteTree(file);
                }
            } catch (IOException | UncheckedIOException ignored) {
                // No directory, nothing to remove.
            }
        }
    }

    private static int freeUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free UDP port for the gateways: " + e.getMessage(), e);
        }
    }
}
