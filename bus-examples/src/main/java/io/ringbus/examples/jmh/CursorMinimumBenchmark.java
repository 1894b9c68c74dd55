package io.ringbus.examples.jmh;

import io.ringbus.core.Result;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of the slowest-cursor scan a producer runs when a claim would pass its cached limit
 * ({@code Ring.protectedFrom}, which calls {@code Ring.slowestCursor}: a volatile read of the state
 * and of the position of every slot up to the high mark), with 1, 8 and 64 active cursors.
 *
 * <pre>
 *   cursors:  [c0][c1] ... [cN-1]   all ACTIVE, all at the first record (slots of 128 B each)
 *   ring:     [ full: one capacity of committed records ]
 *   op:       writer.tryClaim --limit passed--> scan N slots --> BACK_PRESSURED
 * </pre>
 *
 * <p>The scan is package-private, so it is measured through the public API that reaches it: a
 * {@code tryClaim} on a full ring. Its cached limit is always passed, so every call refreshes it
 * with a full scan, finds the cursors still a capacity behind and returns {@code BACK_PRESSURED}.
 * The rest of the call (length checks, one volatile access of the tail, a volatile read of the
 * committed head) is the same for every cursor count, so the differences between the counts are the
 * scan's. In a stream that keeps up, the scan runs once per lap of the ring, not per message.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@State(Scope.Thread)
public class CursorMinimumBenchmark {
    private static final int CAPACITY = 64 * 1024;
    private static final int MAX_CURSORS = 64;
    private static final int PAYLOAD = 32;

    /** Active cursors the scan visits. */
    @Param({"1", "8", "64"})
    public int cursors;

    /** The ring's producer mode (their refreshes differ: a volatile store or a volatile read of the tail). */
    @Param({"SINGLE", "MANY"})
    public ProducerMode mode;

    private RingFixture fixture;
    private RingWriter writer;
    private final List<RingReader> readers = new ArrayList<>();

    /** A full ring with {@code cursors} readers at its first record. */
    @Setup(Level.Trial)
    public void setUp() {
        fixture = new RingFixture(CAPACITY, MAX_CURSORS, mode);
        Ring ring = fixture.ring();
        for (int i = 0; i < cursors; i++) {
            readers.add(ring.newReader());
        }
        writer = ring.newWriter();
        byte[] payload = new byte[PAYLOAD];
        long position;
        do {
            position = writer.offer(1, payload, 0, PAYLOAD);
        } while (position >= 0);
        if (position != Result.BACK_PRESSURED || ring.activeCursors() != cursors) {
            throw new IllegalStateException("set-up left result " + position + " and " + ring.activeCursors()
                + " active cursors");
        }
    }

    /** Frees the ring. */
    @TearDown(Level.Trial)
    public void tearDown() {
        readers.forEach(RingReader::close);
        readers.clear();
        fixture.close();
    }

    /** A refused claim: one full scan of the cursors. */
    @Benchmark
    public long backPressuredClaim() {
        long result = writer.tryClaim(1, PAYLOAD);
        if (result != Result.BACK_PRESSURED) {
            throw new IllegalStateException("claim was not refused: " + result);
        }
        return result;
    }
}
