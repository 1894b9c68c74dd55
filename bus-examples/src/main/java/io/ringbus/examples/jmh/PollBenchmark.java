package io.ringbus.examples.jmh;

import io.ringbus.core.ring.CursorDescriptor;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import io.ringbus.core.ring.internal.RingSlots;
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
 * The cost of reading: one {@code poll(handler, batch)} over a ring filled beforehand, so that every
 * call delivers exactly {@code batch} messages and nothing is written while measuring. The handler
 * reads the first 8 bytes of each payload (the payload stays in the ring: zero-copy).
 *
 * <pre>
 *   set-up:  writer --{@value #MESSAGES} x 32 B--> [ ring, 64 KiB ]
 *   op:                                  [ ring ] --poll(batch)--> reader --> handler
 *   after the last batch: the cursor is put back at the first record (once per {@value #MESSAGES} messages)
 * </pre>
 *
 * <p>Score is per {@code poll} call: divide by {@code batch} for the cost per message. The cursor is
 * stored once per call, not per message, which is what batching saves.
 *
 * <p><b>How the ring is read again.</b> No writer runs during the measurement, so the reader is
 * rewound instead: it detaches, its slot's position is set back to the first record, and a new
 * reader attaches to the slot ({@link RingSlots#attach}), which reads in place from the stored
 * position exactly as a reader that kept up does. That costs one small object and a few volatile
 * accesses per {@value #MESSAGES} messages.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@State(Scope.Thread)
public class PollBenchmark implements MessageHandler {
    /** Messages in the ring: a multiple of every batch size, so that every poll delivers a full batch. */
    static final int MESSAGES = 1024;
    private static final int CAPACITY = 64 * 1024;
    private static final int PAYLOAD = 32;

    /** Messages per poll call. */
    @Param({"1", "16", "256"})
    public int batch;

    private RingFixture fixture;
    private Ring ring;
    private RingReader reader;
    private long first;
    private long end;
    private long checksum;

    /** A ring holding {@value #MESSAGES} committed messages, and a reader before the first. */
    @Setup(Level.Trial)
    public void setUp() {
        if (MESSAGES % batch != 0) {
            throw new IllegalArgumentException("batch " + batch + " does not divide " + MESSAGES);
        }
        fixture = new RingFixture(CAPACITY, 4, ProducerMode.SINGLE);
        ring = fixture.ring();
        reader = ring.newReader();
        first = reader.position();
        RingWriter writer = ring.newWriter();
        byte[] payload = new byte[PAYLOAD];
        for (int i = 0; i < MESSAGES; i++) {
            payload[0] = (byte) i;
            if (writer.offer(1, payload, 0, PAYLOAD) < 0) {
                throw new IllegalStateException("ring full after " + i + " messages");
            }
        }
        end = ring.tail();
    }

    /** Frees the ring. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (checksum == 0) {
            throw new IllegalStateException("the handler saw nothing");
        }
        reader.close();
        fixture.close();
    }

    @Override
    public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
        checksum += buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset) + length;
    }

    /** One poll of {@code batch} messages. */
    @Benchmark
    public int poll() {
        int count = reader.poll(this, batch);
        if (reader.position() == end) {
            rewind();
        }
        return count;
    }

    private void rewind() {
        int slot = reader.slotIndex();
        RingSlots.detach(reader);
        ring.segment().set(ValueLayout.JAVA_LONG, RingDescriptor.cursorOffset(slot) + CursorDescriptor.POSITION_OFFSET,
            first);
        reader = RingSlots.attach(ring, slot, false);
    }
}
