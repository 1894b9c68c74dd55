package io.ringbus.examples.bench.floor;

import io.ringbus.examples.bench.child.BenchFiles;
import io.ringbus.examples.bench.child.ChildJvm;
import io.ringbus.examples.bench.child.ChildRole;
import io.ringbus.examples.bench.child.ChildRunner;
import io.ringbus.examples.bench.child.SpinGuard;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The floor check: the cheapest possible cross-process round trip on this machine right now, to
 * print beside every measured run. The VM moves its two vCPUs between a near and a far placement
 * every few seconds, which alone changes a round trip by about 4x; two runs are comparable only when
 * the floor under each was the same.
 *
 * <pre>
 *   floor-ping JVM                 mapped file (/dev/shm)               floor-pong JVM
 *   +------------+  release n   +--------------------------+  acquire  +------------+
 *   | seq = n    | -----------> | [0]   ping word (long)   | --------> | waits == n |
 *   | waits == n | <----------- | [128] pong word (long)   | <-------- | echoes n   |
 *   +------------+   acquire    +--------------------------+  release  +------------+
 * </pre>
 *
 * <p>A bare spin on two shared longs, on their own cache lines, in a file mapped the way the rings
 * are. Both JVMs live for the whole benchmark and sleep on stdin between checks, so a check runs with
 * the machine otherwise quiet; each check is {@link #WARMUP_ROUND_TRIPS} untimed round trips then
 * {@code roundTrips} timed ones, and reports the median. On a machine so loaded that the two spinning
 * JVMs wait for each other's time slices, a check stops after {@link #BUDGET_MILLIS} (with at least
 * {@link #MIN_TIMED} timed round trips): its median is then far off the quiet one, and the pairs
 * around it are not counted, which is what such a check is for.
 */
public final class FloorCheck implements AutoCloseable {
    static final String PING_ROLE = "floor-ping";
    static final String PONG_ROLE = "floor-pong";
    static final int WARMUP_ROUND_TRIPS = 1_000;
    /** Round trips of the first check, untimed, so that both loops are compiled before any real one. */
    static final int STARTUP_ROUND_TRIPS = 200_000;
    /** Longest a check takes once it has {@link #MIN_TIMED} timed round trips. */
    static final long BUDGET_MILLIS = 500;
    static final int MIN_TIMED = 100;
    /** Written to the ping word instead of the next sequence: the pong's run ends there. */
    private static final long STOP = -1;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long PING_OFFSET = 0;
    private static final long PONG_OFFSET = 128;
    private static final long FILE_LENGTH = 4096;
    private static final long HIGHEST_NANOS = 60_000_000_000L;

    private final ChildJvm ping;
    private final ChildJvm pong;
    private final int roundTrips;
    private final Duration timeout;

    private FloorCheck(ChildJvm ping, ChildJvm pong, int roundTrips, Duration timeout) {
        this.ping = ping;
        this.pong = pong;
        this.roundTrips = roundTrips;
        this.timeout = timeout;
    }

    /**
     * Starts the two floor JVMs and runs a first, discarded, check to compile their loops; each check
     * then times {@code roundTrips}, and any step may take {@code timeout}.
     */
    public static FloorCheck start(BenchFiles files, int roundTrips, Duration timeout) {
        String file = files.zeroedFile("floor", FILE_LENGTH).toString();
        ChildJvm pong = ChildJvm.start("floor-pong", FloorCheck.class, List.of(), PONG_ROLE, timeout, List.of(file));
        ChildJvm ping = null;
        try {
            ping = ChildJvm.start("floor-ping", FloorCheck.class, List.of(), PING_ROLE, timeout, List.of(file));
            FloorCheck check = new FloorCheck(ping, pong, roundTrips, timeout);
            ping.await("READY", timeout);
            pong.await("READY", timeout);
            check.measure(STARTUP_ROUND_TRIPS, roundTrips);
            return check;
        } catch (RuntimeException e) {
            ChildJvm.endAll(ping == null ? List.of(pong) : List.of(ping, pong), false);
            throw e;
        }
    }

    /** Entry point of the two floor JVMs: {@code <floor-ping|floor-pong> <timeoutMillis> <file>}. */
    public static void main(String[] args) {
        ChildRunner.run(args, (role, roleArgs, guard) -> switch (role) {
            case PING_ROLE -> new Ping(roleArgs, guard);
            case PONG_ROLE -> new Pong(roleArgs, guard);
            default -> throw new IllegalArgumentException("unknown role '" + role + "'");
        });
    }

    /** One floor check: the median spinning round trip, in nanoseconds. */
    public long measure() {
        return measure(WARMUP_ROUND_TRIPS, roundTrips);
    }

    private long measure(int warmup, int timed) {
        String command = "RUN " + warmup + " " + timed + " " + BUDGET_MILLIS;
        pong.send(command);
        ping.send(command);
        long p50 = Long.parseLong(ping.awaitResult(timeout).get("p50"));
        pong.await("DONE", timeout);
        return p50;
    }

    @Override
    public void close() {
        ping.close();
        pong.close();
    }

    /** The floor-ping child: writes n, spins until the pong word is n, times each round trip. */
    static final class Ping implements ChildRole {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment words;
        private final SpinGuard guard;
        private final Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
        private long sequence;

        Ping(String[] args, SpinGuard guard) throws Exception {
            this.words = BenchFiles.mapSegment(Path.of(args[0]), arena);
            this.guard = guard;
        }

        @Override
        public void execute(String[] command) {
            long warmup = ChildRunner.longArg(command, 1);
            long timed = ChildRunner.longArg(command, 2);
            long budget = ChildRunner.longArg(command, 3) * 1_000_000L;
            histogram.reset();
            long begin = System.nanoTime();
            for (long i = 0; i < warmup + timed; i++) {
                if (i >= warmup + MIN_TIMED && (i & 63) == 0 && System.nanoTime() - begin > budget) {
                    break;
                }
                long n = ++sequence;
                long start = System.nanoTime();
                LONG.setRelease(words, PING_OFFSET, n);
                while ((long) LONG.getAcquire(words, PONG_OFFSET) != n) {
                    guard.spin();
                }
                long elapsed = System.nanoTime() - start;
                if (i >= warmup) {
                    histogram.recordValue(Math.min(elapsed, HIGHEST_NANOS));
                }
            }
            LONG.setRelease(words, PING_OFFSET, STOP);
            ChildRunner.reply("RESULT p50=" + histogram.getValueAtPercentile(50)
                + " count=" + histogram.getTotalCount());
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    /** The floor-pong child: spins until the ping word is n, then writes n to the pong word. */
    static final class Pong implements ChildRole {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment words;
        private final SpinGuard guard;
        private long sequence;

        Pong(String[] args, SpinGuard guard) throws Exception {
            this.words = BenchFiles.mapSegment(Path.of(args[0]), arena);
            this.guard = guard;
        }

        @Override
        public void execute(String[] command) {
            // The STOP that ended the last run is still in the ping word until the first ping of this one.
            boolean started = false;
            while (true) {
                long n = sequence + 1;
                long ping;
                while ((ping = (long) LONG.getAcquire(words, PING_OFFSET)) != n && (ping != STOP || !started)) {
                    guard.spin();
                }
                if (ping == STOP) {
                    break;
                }
                started = true;
                sequence = n;
                LONG.setRelease(words, PONG_OFFSET, n);
            }
            ChildRunner.reply("DONE");
        }

        @Override
        public void close() {
            arena.close();
        }
    }
}
