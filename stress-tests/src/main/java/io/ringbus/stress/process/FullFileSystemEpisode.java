package io.ringbus.stress.process;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.RingBusException;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.os.FileSystemFullException;
import io.ringbus.core.topic.TopicFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A full file system: a 1 MiB tmpfs is mounted (root only; otherwise the fault is skipped, with the
 * reason in the figures), a subscriber and a publisher process open topic {@code existing} on it,
 * the rest of the space is filled, and then, while the publisher sends {@link #MESSAGES} messages
 * through the existing topic (hundreds of laps of its ring), the harness tries to create another
 * topic there. It must get {@link FileSystemFullException} and leave no file behind, and the
 * existing topic must deliver every message, none torn (its pages were all reserved when it was
 * created, so no SIGBUS). Then everything is stopped and the tmpfs unmounted.
 */
final class FullFileSystemEpisode {
    static final int MESSAGES = 20_000;
    private static final int CAPACITY = 64 * 1024;
    private static final Duration DONE = Duration.ofSeconds(60);

    /** The tmpfs mounted right now, for a shutdown hook to unmount after Ctrl-C. */
    private static volatile Path mounted;

    private final Launcher launcher;
    private final Tallies tallies;
    private final Findings findings;
    private final long seed;

    FullFileSystemEpisode(Launcher launcher, Tallies tallies, Findings findings, long seed) {
        this.launcher = launcher.shm();
        this.tallies = tallies;
        this.findings = findings;
        this.seed = seed;
    }

    void run() throws IOException {
        if (tallies.isSkipped(FaultKind.FULL_FS)) {
            return;
        }
        String uid = userId();
        if (!"0".equals(uid)) {
            tallies.skipped(FaultKind.FULL_FS, "mounting a tmpfs needs root (uid is " + uid + ")");
            return;
        }
        Path mount = Files.createTempDirectory(Path.of("/tmp"), "ringbus-stress-fs-");
        try {
            String failure = run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mount.toString());
            if (failure != null) {
                tallies.skipped(FaultKind.FULL_FS, "cannot mount a 1 MiB tmpfs: " + failure);
                return;
            }
            mounted = mount;
            try {
                episode(mount);
            } finally {
                mounted = null;
                String stuck = run("umount", mount.toString());
                if (stuck != null && run("umount", "-l", mount.toString()) != null) {
                    findings.error("cannot unmount the full-fs tmpfs " + mount + ": " + stuck);
                }
            }
        } finally {
            StressRun.deleteTree(mount);
        }
    }

    private void episode(Path mount) throws IOException {
        Path busDir = mount.resolve("bus");
        Launcher.Topic topic = new Launcher.Topic(busDir, "existing", CAPACITY, CAPACITY / 16);
        StatsFile subStats = launcher.newStats("fs-sub", StatsFile.SUBSCRIBER, 0);
        StatsFile pubStats = launcher.newStats("fs-pub", StatsFile.PUBLISHER, 1);
        ChildProcess sub = null;
        ChildProcess pub = null;
        try {
            sub = launcher.subscriber("fs-sub", topic, subStats, null, "blocking");
            pub = launcher.publisher("fs-pub", topic, pubStats, "random", MESSAGES, true, false, seed);
            long filled = fill(mount.resolve("filler"));
            pub.send("GO");
            tallies.injected(FaultKind.FULL_FS);
            String outcome = createOnFullFileSystem(busDir);
            List<String> entries = entries(busDir);
            if (!entries.equals(List.of("existing" + TopicFile.SUFFIX))) {
                findings.error("full-fs: the bus directory holds " + entries + " after the failed creation");
            }
            String done = pub.awaitLine("DONE ", DONE);
            long committed = pubStats.get(StatsFile.COMMITTED);
            awaitReceived(subStats, committed);
            long received = subStats.next(1) == 0 ? 0 : subStats.next(1) - (subStats.first(1) - 1)
                - subStats.get(StatsFile.GAPS);
            long lost = Math.max(0, committed - received);
            long bad = subStats.get(StatsFile.TORN) + subStats.get(StatsFile.DUPLICATED)
                + subStats.get(StatsFile.OUT_OF_ORDER) + subStats.get(StatsFile.GAPS);
            tallies.fullFs(f -> {
                f.episodes++;
                f.typedErrors += outcome == null ? 1 : 0;
                f.existingCommitted += committed;
                f.existingLost += lost;
                f.existingBad += bad;
            });
            if (outcome != null) {
                findings.error("full-fs: " + outcome);
            }
            if (done == null || committed != MESSAGES || lost > 0 || bad > 0) {
                findings.error("full-fs: the existing topic on the full file system (" + filled + " bytes of filler)"
                    + " committed " + committed + " of " + MESSAGES + ", lost " + lost + ", torn/repeated/out of"
                    + " order " + bad + "\n  " + pub.describe() + "\n  " + sub.describe());
            }
            sub.send("STOP");
            sub.awaitExit(Duration.ofSeconds(10));
        } finally {
            if (sub != null) {
                sub.destroy();
            }
            if (pub != null) {
                pub.destroy();
            }
            subStats.close();
            pubStats.close();
        }
    }

    /** Lazily unmounts the tmpfs of an episode that was interrupted (Ctrl-C); for a shutdown hook. */
    static void unmountAfterInterrupt() {
        Path mount = mounted;
        if (mount != null) {
            run("umount", "-l", mount.toString());
        }
    }

    /** Null when creating a topic failed as it must (FileSystemFullException); else what happened. */
    private static String createOnFullFileSystem(Path busDir) {
        try (Bus bus = Bus.open(new BusContext().directory(busDir))) {
            bus.newPublisher("new", new TopicConfig().capacity(CAPACITY));
            return "creating a topic on the full file system succeeded";
        } catch (FileSystemFullException expected) {
            return null;
        } catch (RingBusException e) {
            return "creating a topic on the full file system gave " + e.getClass().getName() + ", not"
                + " FileSystemFullException: " + e.getMessage();
        }
    }

    private static void awaitReceived(StatsFile subStats, long committed) {
        long deadline = System.nanoTime() + DONE.toNanos();
        while (subStats.next(1) < committed && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(10_000_000L);
        }
    }

    /** Writes a file until the file system is full; returns its length. */
    private static long fill(Path filler) throws IOException {
        long written = 0;
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (int chunk = 64 * 1024; chunk >= 1; chunk /= 8) {
                byte[] bytes = new byte[chunk];
                try {
                    while (true) {
                        out.write(bytes);
                        out.flush();
                        written += chunk;
                    }
                } catch (IOException full) {
                    if (!String.valueOf(full.getMessage()).contains("No space left")) {
                        throw full;
                    }
                }
            }
        } catch (IOException full) {
            // Closing flushes nothing more (every write was flushed); ENOSPC again is fine.
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
        return written;
    }

    private static List<String> entries(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The real user id, from /proc/self/status. */
    private static String userId() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.substring(4).trim().split("\\s+")[0];
            }
        }
        return "unknown";
    }

    /** Runs a command; null on success, else its output and exit code. */
    private static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return String.join(" ", command) + ": timed out";
            }
            String output = new String(process.getInputStream().readAllBytes()).strip();
            return process.exitValue() == 0 ? null : output + " (exit " + process.exitValue() + ")";
        } catch (IOException e) {
            return String.join(" ", command) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
