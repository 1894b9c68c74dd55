package io.ringbus.stress.process;

import io.ringbus.core.ring.CursorDescriptor;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.topic.TopicDescriptor;
import io.ringbus.core.topic.TopicFile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * A hostile fault, against a victim topic of its own (the main topic's figures must stay clean, and
 * these faults destroy data by design): a victim subscriber and a victim publisher start on topic
 * {@code victim}; once messages flow, a peer truncates the topic's file (to 0, one page, the header
 * alone, half, or all but its last page) or scribbles random lengths of random bytes into it for a
 * second (mostly the data area, also record headers, cursor slots and the tail, and the header).
 *
 * <p>What each victim process must do, within {@link #OBSERVE}: end with a typed error (a
 * {@code RingBusException}), or carry on (still answering: its last call returned within the last
 * {@link #HANG} — a scribble may land where nobody reads again, and a subscriber may wait for
 * messages that a broken ring no longer brings), with any damaged message it is handed rejected by
 * its CRC. Never an untyped exception, a JVM crash (hs_err file), or a hang (a call that does not
 * return). Afterwards both are killed and the topic file is removed, so the next episode creates it
 * anew.
 */
final class HostileEpisode {
    static final String TOPIC = "victim";
    static final Duration OBSERVE = Duration.ofSeconds(4);
    static final Duration HANG = Duration.ofSeconds(3);
    private static final Duration FLOWING = Duration.ofSeconds(20);
    private static final long SCRIBBLE_NANOS = 1_000_000_000L;
    private static final List<String> WAKEUPS = List.of("blocking", "spin", "signal");

    private final Launcher launcher;
    private final Path busDir;
    private final int capacity;
    private final Tallies tallies;
    private final Findings findings;
    private final SplittableRandom random;

    HostileEpisode(Launcher launcher, Path busDir, int capacity, Tallies tallies, Findings findings, long seed) {
        this.launcher = launcher;
        this.busDir = busDir;
        this.capacity = capacity;
        this.tallies = tallies;
        this.findings = findings;
        this.random = new SplittableRandom(seed);
    }

    void run(FaultKind kind) {
        Launcher.Topic topic = new Launcher.Topic(busDir, TOPIC, capacity, capacity / 8);
        String wakeup = WAKEUPS.get(random.nextInt(WAKEUPS.size()));
        StatsFile subStats = launcher.newStats("victim-sub", StatsFile.SUBSCRIBER, 0);
        StatsFile pubStats = launcher.newStats("victim-pub", StatsFile.PUBLISHER, 1);
        ChildProcess sub = null;
        ChildProcess pub = null;
        Path file = TopicFile.pathOf(busDir, TOPIC);
        try {
            sub = launcher.subscriber("victim-sub", topic, subStats, null, wakeup);
            pub = launcher.publisher("victim-pub", topic, pubStats, "random", -1, false, false, random.nextLong());
            if (!awaitFlowing(subStats)) {
                findings.error(kind.label() + ": the victim topic carried no message within " + FLOWING.toSeconds()
                    + " s\n  " + sub.describe() + "\n  " + pub.describe() + launcher.bridgeState());
                return;
            }
            tallies.injected(kind);
            String what = kind == FaultKind.TRUNCATE ? truncate(file, random) : scribble(file);
            observe(kind, what, List.of(sub, pub), List.of(subStats, pubStats));
            long rejected = subStats.get(StatsFile.TORN);
            tallies.hostile(h -> {
                h.episodes++;
                h.crcRejected += rejected;
            });
        } catch (IOException e) {
            throw new StressException(kind.label() + ": cannot reach " + file + ": " + e.getMessage(), e);
        } finally {
            if (sub != null) {
                sub.destroy();
            }
            if (pub != null) {
                pub.destroy();
            }
            subStats.close();
            pubStats.close();
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                findings.error("cannot remove the victim topic " + file + ": " + e.getMessage());
            }
        }
    }

    private static boolean awaitFlowing(StatsFile subStats) {
        long deadline = System.nanoTime() + FLOWING.toNanos();
        while (subStats.get(StatsFile.RECEIVED) < 100) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(10_000_000L);
        }
        return true;
    }

    /**
     * Truncates a topic file to a length chosen with {@code random}: 0, one page, the header alone, half,
     * or all but its last page. Returns what it did.
     */
    static String truncate(Path file, SplittableRandom random) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long length = raf.length();
            long ringOffset = readLong(file, TopicDescriptor.RING_OFFSET_OFFSET);
            long[] choices = {0, 4096, ringOffset, length / 2, length - 4096};
            long to = choices[random.nextInt(choices.length)];
            raf.setLength(to);
            return "truncated from " + length + " to " + to + " bytes";
        }
    }

    private String scribble(Path file) throws IOException {
        long ringOffset = readLong(file, TopicDescriptor.RING_OFFSET_OFFSET);
        int cursors = readInt(file, ringOffset + RingDescriptor.MAX_CURSORS_OFFSET);
        long dataStart = ringOffset + RingDescriptor.CURSORS_OFFSET + (long) cursors * CursorDescriptor.SLOT_LENGTH;
        int writes = 0;
        long bytes = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            long end = System.nanoTime() + SCRIBBLE_NANOS;
            while (System.nanoTime() - end < 0) {
                int choice = random.nextInt(100);
                long at;
                int length;
                if (choice < 60) {
                    at = dataStart + random.nextInt(capacity);
                    length = random.nextInt(1, random.nextBoolean() ? 64 : 4096);
                } else if (choice < 85) {
                    at = dataStart + (random.nextInt(capacity) & ~15);
                    length = 16;
                } else if (choice < 95) {
                    at = ringOffset + random.nextLong(dataStart - ringOffset);
                    length = random.nextInt(1, 64);
                } else {
                    at = random.nextLong(ringOffset);
                    length = random.nextInt(1, 64);
                }
                length = (int) Math.min(length, dataStart + capacity - at);
                byte[] noise = new byte[length];
                random.nextBytes(noise);
                channel.write(ByteBuffer.wrap(noise), at);
                writes++;
                bytes += length;
                LockSupport.parkNanos(random.nextLong(5_000_000L, 30_000_000L));
            }
        }
        return "scribbled " + writes + " times, " + bytes + " bytes";
    }

    private static long readLong(Path file, long offset) throws IOException {
        return read(file, offset, 8).getLong();
    }

    private static int readInt(Path file, long offset) throws IOException {
        return read(file, offset, 4).getInt();
    }

    private static ByteBuffer read(Path file, long offset, int length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
            channel.read(buffer, offset);
            return buffer.flip();
        }
    }

    /** Watches the victims for {@link #OBSERVE} (or until both ended), then judges each. */
    private void observe(FaultKind kind, String what, List<ChildProcess> victims, List<StatsFile> stats) {
        long deadline = System.nanoTime() + OBSERVE.toNanos();
        while (System.nanoTime() - deadline < 0 && victims.stream().anyMatch(ChildProcess::isAlive)) {
            LockSupport.parkNanos(50_000_000L);
        }
        for (int i = 0; i < victims.size(); i++) {
            ChildProcess victim = victims.get(i);
            String context = kind.label() + " (" + what + "): " + victim.describe();
            if (victim.isAlive()) {
                long quiet = System.nanoTime() - stats.get(i).get(StatsFile.HEARTBEAT);
                if (quiet > HANG.toNanos()) {
                    tallies.hostile(h -> h.hangs++);
                    findings.error("hang: no call returned for " + quiet / 1_000_000 + " ms after " + context);
                } else {
                    tallies.hostile(h -> h.carriedOn++);
                }
                continue;
            }
            String error = victim.line("ERROR ");
            if (error != null && error.startsWith("ERROR typed ") && victim.exitCode() == ChildArgs.TYPED_ERROR_EXIT) {
                tallies.hostile(h -> h.typedErrors++);
            } else if (Files.exists(launcher.workDir().resolve("hs_err_pid" + victim.pid() + ".log"))) {
                tallies.hostile(h -> h.crashes++);
                findings.error("JVM crash (hs_err) after " + context);
            } else {
                tallies.hostile(h -> h.untypedErrors++);
                findings.error("not a typed error after " + context);
            }
        }
    }
}
