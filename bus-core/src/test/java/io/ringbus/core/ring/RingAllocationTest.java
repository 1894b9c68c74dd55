package io.ringbus.core.ring;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The steady state allocates nothing: offer (from an array, from a segment), tryClaim/commit and
 * poll, and a reader's explicit commits, measured with the thread's own allocation counter after a
 * warm-up in the same loop.
 *
 * <p>The bound: {@value #MESSAGES} messages may allocate at most {@value #BOUND_BYTES} bytes in all.
 * The smallest Java object is 16 bytes, so one allocation per message would add 16,000,000 bytes,
 * a thousand times the bound; even one small allocation every 500 messages would break it. What
 * the bound leaves room for is the JIT and the runtime's own occasional allocation on this thread
 * (a late recompilation, the counter's first call), which does not grow with the message count.
 */
class RingAllocationTest implements MessageHandler {
    private static final int MESSAGES = 1_000_000;
    private static final int WARM_UP = 500_000;
    private static final long BOUND_BYTES = 16 * 1024;

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private long received;
    private long checksum;

    @Override
    public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
        received++;
        checksum += typeId + buffer.get(ValueLayout.JAVA_BYTE, offset) + buffer.get(ValueLayout.JAVA_BYTE,
            offset + length - 1);
    }

    private long allocatedBytes() {
        return threads.getThreadAllocatedBytes(Thread.currentThread().threadId());
    }

    /** Runs {@code count} offer+poll pairs, alternating the three ways of writing; with commits, commits as it goes. */
    private void exchange(RingWriter writer, RingReader reader, byte[] array, MemorySegment source, long count,
        boolean commits) {
        for (long i = 0; i < count; i++) {
            int length = 8 + (int) (i & 63);
            int way = (int) (i % 3);
            long position;
            if (way == 0) {
                position = writer.offer(1, array, 0, length);
            } else if (way == 1) {
                position = writer.offer(2, source, 0, length);
            } else {
                position = writer.tryClaim(3, length);
                if (position >= 0) {
                    writer.buffer().set(ValueLayout.JAVA_BYTE, writer.payloadOffset(position), (byte) 1);
                    writer.commit(position);
                }
            }
            if (position < 0 || reader.poll(this, 10) != 1) {
                throw new AssertionError("message " + i + " was not exchanged: " + position);
            }
            if (commits && (i & 7) == 3) {
                reader.commitMessages(1);
            } else if (commits && (i & 7) == 7) {
                reader.commit();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void offerAndPollAllocateNothingInSteadyState(ProducerMode mode) {
        measure(mode, false);
    }

    /** The same with a reader whose cursor moves on {@code commit} and {@code commitMessages} only. */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void explicitCommitsAllocateNothingInSteadyState(ProducerMode mode) {
        measure(mode, true);
    }

    private void measure(ProducerMode mode, boolean deferCommits) {
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
            "this JVM does not count allocated bytes per thread");
        RingConfig config = new RingConfig().capacity(64 * 1024).maxCursors(4).producerMode(mode);
        try (Arena arena = Arena.ofConfined()) {
            Ring ring = Ring.format(arena.allocate(config.requiredLength(), 64), config);
            RingWriter writer = ring.newWriter();
            RingReader reader = ring.newReader();
            if (deferCommits) {
                reader.deferCommits();
            }
            byte[] array = new byte[128];
            array[0] = 5;
            MemorySegment source = arena.allocate(128);
            // Warm-up in the same loop, so that the measured loop runs compiled code.
            exchange(writer, reader, array, source, WARM_UP, deferCommits);

            long before = allocatedBytes();
            exchange(writer, reader, array, source, MESSAGES, deferCommits);
            long allocated = allocatedBytes() - before;

            assertEquals(WARM_UP + MESSAGES, received);
            assertTrue(allocated < BOUND_BYTES, allocated + " bytes allocated over " + MESSAGES + " messages ("
                + (double) allocated / MESSAGES + " per message); bound " + BOUND_BYTES);
            assertNotEquals(0, checksum);
        }
    }
}
