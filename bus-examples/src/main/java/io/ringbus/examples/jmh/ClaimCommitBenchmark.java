package io.ringbus.examples.jmh;

import io.ringbus.core.Result;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * The cost of writing one message: {@code tryClaim} + a payload store + {@code commit}, and the two
 * copying {@code offer}s (from a {@code byte[]}, from a {@code MemorySegment}), for each producer
 * mode ({@code SINGLE}: a release store of the tail; {@code MANY}: a compare-and-set, uncontended here).
 *
 * <pre>
 *   one benchmark thread
 *   +---------------------------------------------------------------+
 *   |  writer --claim/commit--> [ ring, 64 KiB ] --poll--> reader  |
 *   |            every op          drained when full, once a lap     |
 *   +---------------------------------------------------------------+
 *   one op = one message written (and, amortized, read)
 * </pre>
 *
 * <p><b>Why the reader drains in the same thread.</b> A reader thread ({@code @Group}) would put
 * the cross-core traffic of the tail and cursor lines into every figure, and on a 2-core machine it
 * spins on the core the writer needs. Here one thread writes until the ring back-pressures it (a
 * whole capacity ahead of the cursor), then drains the ring in one {@code poll} per capacity and
 * retries. So every message written is read once, the writer's cached limit is refreshed (the cursor
 * scan) once per lap as in a steady stream, and the reader's share, a few percent at most, is spread
 * over the messages of a lap. {@code PollBenchmark} measures the reader alone;
 * {@code bus bench ring} measures threads and processes together.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@State(Scope.Thread)
public class ClaimCommitBenchmark implements MessageHandler {
    private static final int CAPACITY = 64 * 1024;
    private static final int TYPE_ID = 1;

    /** The ring's producer mode. */
    @Param({"SINGLE", "MANY"})
    public ProducerMode mode;

    /** Payload bytes per message. */
    @Param({"32", "256"})
    public int payload;

    private RingFixture fixture;
    private RingWriter writer;
    private RingReader reader;
    private Arena sources;
    private byte[] array;
    private MemorySegment segment;
    private long received;
    private long checksum;

    /** A fresh ring with one reader at its tail. */
    @Setup(Level.Trial)
    public void setUp() {
        fixture = new RingFixture(CAPACITY, 4, mode);
        writer = fixture.ring().newWriter();
        reader = fixture.ring().newReader();
        array = new byte[payload];
        array[0] = 7;
        sources = Arena.ofConfined();
        segment = sources.allocate(payload, 8);
        segment.set(ValueLayout.JAVA_BYTE, 0, (byte) 7);
    }

    /** Checks that every message was read, then frees the ring. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (received == 0 || checksum != 7 * received) {
            throw new IllegalStateException("the reader saw " + received + " messages, checksum " + checksum);
        }
        reader.close();
        fixture.close();
        sources.close();
    }

    @Override
    public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
        received++;
        checksum += buffer.get(ValueLayout.JAVA_BYTE, offset);
    }

    /** Zero-copy: claim, store the first payload byte in place, commit. */
    @Benchmark
    public long tryClaimCommit() {
        long position = writer.tryClaim(TYPE_ID, payload);
        if (position < 0) {
            position = drainAndClaim(position);
        }
        writer.buffer().set(ValueLayout.JAVA_BYTE, writer.payloadOffset(position), (byte) 7);
        writer.commit(position);
        return position;
    }

    /** Copying offer of the whole payload from a {@code byte[]}. */
    @Benchmark
    public long offerArray() {
        long position = writer.offer(TYPE_ID, array, 0, payload);
        if (position < 0) {
            drain(position);
            position = writer.offer(TYPE_ID, array, 0, payload);
        }
        return position;
    }

    /** Copying offer of the whole payload from a {@code MemorySegment}. */
    @Benchmark
    public long offerSegment() {
        long position = writer.offer(TYPE_ID, segment, 0, payload);
        if (position < 0) {
            drain(position);
            position = writer.offer(TYPE_ID, segment, 0, payload);
        }
        return position;
    }

    private long drainAndClaim(long refused) {
        drain(refused);
        long position = writer.tryClaim(TYPE_ID, payload);
        if (position < 0) {
            throw new IllegalStateException("claim refused after a drain: " + position);
        }
        return position;
    }

    private void drain(long refused) {
        if (refused != Result.BACK_PRESSURED) {
            throw new IllegalStateException("unexpected result " + refused);
        }
        reader.poll(this, Integer.MAX_VALUE);
    }
}
