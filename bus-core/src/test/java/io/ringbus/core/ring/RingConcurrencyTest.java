package io.ringbus.core.ring;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.Result;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Real threads: writers and readers on one ring at once. Each message carries (writer id, sequence)
 * and bytes derived from both; readers check per-writer order, no loss, no duplicate, every byte,
 * and that all readers saw the same total order. Bounded by message counts, not by time; the joins
 * have a generous limit only so that a hang fails the build instead of stalling it.
 */
class RingConcurrencyTest {
    private static final int CAPACITY = 16 * 1024;
    private static final int ABORTED_TYPE = 1000;
    /** Not a timing assertion: these tests take seconds; this only turns a hang into a failure. */
    private static final long HANG_GUARD_MILLIS = 90_000;

    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Set on the first failure (or a hang) so that every other thread stops spinning. */
    private volatile boolean stop;
    private final List<Thread> threads = new ArrayList<>();

    private static int lengthOf(long seq) {
        return 12 + (int) ((seq * 7) % 90);
    }

    private static byte fill(int writer, long seq, int index) {
        return RingHarness.payloadByte(((long) writer << 40) ^ seq, index);
    }

    private void start(String name, Runnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                stop = true;
            }
        }, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void joinAll() throws Throwable {
        long deadline = System.nanoTime() + HANG_GUARD_MILLIS * 1_000_000;
        for (Thread thread : threads) {
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (thread.isAlive()) {
                failure.compareAndSet(null, new AssertionError(thread.getName() + " did not finish: hung"));
                stop = true;
            }
        }
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** Throws in a thread when another thread failed, so that it stops. */
    private void checkStop() {
        if (stop) {
            throw new IllegalStateException("stopped after a failure elsewhere");
        }
    }

    /**
     * A reader is never past the tail, with one exception: a single producer commits the padding
     * record of a wrapping claim before it publishes the new tail, so a reader may skip that padding
     * to the lap boundary just before the tail moves.
     */
    private static void checkBehindTail(RingReader reader, Ring ring) {
        long tail = ring.tail();
        long position = reader.position();
        long lapEnd = (tail | (ring.capacity() - 1)) + 1;
        boolean skippedPadding = ring.producerMode() == ProducerMode.SINGLE && position == lapEnd;
        if (position > tail && !skippedPadding) {
            fail("reader at " + position + " is past the tail " + tail);
        }
    }

    /** Writes {@code count} messages, mixing offer and claim/commit, aborting some extra claims. */
    private Runnable writer(Ring ring, RingWriter writer, int id, long count, AtomicLongArray progress,
            AtomicInteger done) {
        return writer(ring, writer, id, count, progress, done, null);
    }

    /** As above; when {@code positions} is given, stores each message's position at its sequence. */
    private Runnable writer(Ring ring, RingWriter writer, int id, long count, AtomicLongArray progress,
            AtomicInteger done, AtomicLongArray positions) {
        return () -> {
            byte[] bytes = new byte[128];
            long seq = 0;
            long attempts = 0;
            while (seq < count) {
                attempts++;
                int length = lengthOf(seq);
                long result;
                if (ring.producerMode() == ProducerMode.MANY && attempts % 17 == 0) {
                    result = writer.tryClaim(ABORTED_TYPE, length);
                    if (result >= 0) {
                        writer.abort(result);
                    }
                } else if ((seq & 1) == 0) {
                    ByteArrayMessage.write(bytes, id, seq, length);
                    result = writer.offer(id, bytes, 0, length);
                    if (result >= 0) {
                        if (positions != null) {
                            positions.set((int) seq, result);
                        }
                        progress.set(id, seq);
                        seq++;
                    }
                } else {
                    result = writer.tryClaim(id, length);
                    if (result >= 0) {
                        MemorySegment buffer = writer.buffer();
                        long at = writer.payloadOffset(result);
                        buffer.set(ValueLayout.JAVA_INT_UNALIGNED, at, id);
                        buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, at + 4, seq);
                        for (int i = 12; i < length; i++) {
                            buffer.set(ValueLayout.JAVA_BYTE, at + i, fill(id, seq, i));
                        }
                        if (positions != null) {
                            positions.set((int) seq, result);
                        }
                        writer.commit(result);
                        progress.set(id, seq);
                        seq++;
                    }
                }
                if (result < 0) {
                    assertEquals(Result.BACK_PRESSURED, result);
                    checkStop();
                    Thread.yield();
                }
            }
            done.incrementAndGet();
        };
    }

    /** The position a writer noted for {@code seq} (it notes it right after offer returns). */
    private static long awaitPosition(AtomicLongArray positions, int seq) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long at;
        while ((at = positions.get(seq)) < 0) {
            assertTrue(System.nanoTime() < deadline, "writer never noted the position of sequence " + seq);
            Thread.onSpinWait();
        }
        return at;
    }

    /** Payload layout: writer id (int), sequence (long), then filler bytes. */
    private static final class ByteArrayMessage {
        static void write(byte[] bytes, int id, long seq, int length) {
            MemorySegment view = MemorySegment.ofArray(bytes);
            view.set(ValueLayout.JAVA_INT_UNALIGNED, 0, id);
            view.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, seq);
            for (int i = 12; i < length; i++) {
                bytes[i] = fill(id, seq, i);
            }
        }
    }

    /** Checks messages: per-writer sequence (from a first one, for late joiners), bytes, total order. */
    private static final class Checker implements MessageHandler {
        final long[] next;
        final long[] first;
        final boolean[] started;
        long count;
        long orderHash = 1;

        Checker(int writers, boolean fromStart) {
            next = new long[writers];
            first = new long[writers];
            started = new boolean[writers];
            Arrays.fill(started, fromStart);
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            assertNotEquals(ABORTED_TYPE, typeId, "an aborted claim was delivered");
            int id = buffer.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
            long seq = buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 4);
            assertEquals(typeId, id, "type and writer id disagree");
            assertTrue(id >= 0 && id < next.length, "writer id " + id);
            if (!started[id]) {
                started[id] = true;
                first[id] = seq;
                next[id] = seq;
            }
            if (seq != next[id]) {
                fail("writer " + id + ": expected sequence " + next[id] + ", got " + seq + " (loss or duplicate)");
            }
            next[id]++;
            assertEquals(lengthOf(seq), length, "length");
            for (int i = 12; i < length; i++) {
                if (buffer.get(ValueLayout.JAVA_BYTE, offset + i) != fill(id, seq, i)) {
                    fail("writer " + id + " sequence " + seq + ": byte " + i + " differs");
                }
            }
            count++;
            orderHash = orderHash * 1_000_003 + ((long) id << 48 | seq);
        }
    }

    private void run(ProducerMode mode, int writers, int readers, long perWriter, boolean shareOneWriter)
            throws Throwable {
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(8).producerMode(mode);
        try (Arena arena = Arena.ofShared()) {
            Ring ring = Ring.format(arena.allocate(config.requiredLength(), 64), config);
            AtomicInteger done = new AtomicInteger();
            AtomicLongArray progress = new AtomicLongArray(writers);
            List<Checker> checkers = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                RingReader reader = ring.newReader();
                Checker checker = new Checker(writers, true);
                checkers.add(checker);
                int limit = 1 + r * 37;
                start("reader-" + r, () -> {
                    while (true) {
                        if (reader.poll(checker, limit) == 0) {
                            checkBehindTail(reader, ring);
                            if (done.get() == writers && reader.position() == ring.tail()) {
                                break;
                            }
                            checkStop();
                            Thread.yield();
                        }
                    }
                    reader.close();
                });
            }
            RingWriter shared = shareOneWriter ? ring.newWriter() : null;
            for (int w = 0; w < writers; w++) {
                RingWriter writer = shareOneWriter ? shared : ring.newWriter();
                start("writer-" + w, writer(ring, writer, w, perWriter, progress, done));
            }
            joinAll();
            for (Checker checker : checkers) {
                assertEquals(writers * perWriter, checker.count);
                for (int w = 0; w < writers; w++) {
                    assertEquals(perWriter, checker.next[w]);
                }
                assertEquals(checkers.getFirst().orderHash, checker.orderHash, "readers disagree on the order");
            }
            assertEquals(0, ring.activeCursors());
        }
    }

    @Test
    void twoManyModeWritersAndThreeReadersLoseNothingAndAgreeOnOneOrder() throws Throwable {
        run(ProducerMode.MANY, 2, 3, 150_000, false);
    }

    /** A many-producer writer may be shared by threads: its cached limit is shared too. */
    @Test
    void twoThreadsSharingOneManyModeWriterLoseNothing() throws Throwable {
        run(ProducerMode.MANY, 2, 2, 100_000, true);
    }

    @Test
    void aSingleProducerAndTwoReadersLoseNothing() throws Throwable {
        run(ProducerMode.SINGLE, 1, 2, 200_000, true);
    }

    /**
     * Readers join and leave while two writers write. A reader starts at the tail, or at the first
     * claim still pending below it (see CursorDescriptor): it must deliver no record from below its
     * start position, skip none at or above it, and from its first message on see every message of
     * each writer, in order. The writers note where each message landed, so that the check is exact:
     * a writer's first message seen lies at or above the start, the one before it below.
     */
    @Test
    void readersJoiningWhileWritersWriteSeeExactlyTheRecordsAfterTheirJoin() throws Throwable {
        int writers = 2;
        long perWriter = 100_000;
        RingConfig config = new RingConfig().capacity(CAPACITY).maxCursors(4).producerMode(ProducerMode.MANY);
        try (Arena arena = Arena.ofShared()) {
            Ring ring = Ring.format(arena.allocate(config.requiredLength(), 64), config);
            AtomicInteger done = new AtomicInteger();
            AtomicLongArray progress = new AtomicLongArray(writers);
            AtomicLongArray[] positions = new AtomicLongArray[writers];
            for (int w = 0; w < writers; w++) {
                progress.set(w, -1);
                positions[w] = new AtomicLongArray((int) perWriter);
                for (int i = 0; i < perWriter; i++) {
                    positions[w].set(i, -1);
                }
            }
            AtomicInteger sessions = new AtomicInteger();
            for (int j = 0; j < 2; j++) {
                int joiner = j;
                start("joiner-" + j, () -> {
                    long quota = 500 + joiner * 700;
                    while (true) {
                        boolean last = done.get() == writers;
                        try (RingReader reader = ring.newReader()) {
                            long start = reader.position();
                            Checker checker = new Checker(writers, false);
                            while (checker.count < quota) {
                                if (reader.poll(checker, 1 + joiner * 5) == 0) {
                                    checkBehindTail(reader, ring);
                                    if (done.get() == writers && reader.position() == ring.tail()) {
                                        break;
                                    }
                                    checkStop();
                                    Thread.yield();
                                }
                            }
                            for (int w = 0; w < writers; w++) {
                                if (checker.started[w]) {
                                    int first = (int) checker.first[w];
                                    long at = awaitPosition(positions[w], first);
                                    assertTrue(at >= start, "joiner starting at " + start + " saw sequence " + first
                                        + " of writer " + w + " at " + at + ", below its start");
                                    if (first > 0) {
                                        long previous = positions[w].get(first - 1);
                                        assertTrue(previous < start, "joiner starting at " + start + " skipped"
                                            + " sequence " + (first - 1) + " of writer " + w + " at " + previous);
                                    }
                                }
                            }
                        }
                        sessions.incrementAndGet();
                        if (last) {
                            return;
                        }
                    }
                });
            }
            for (int w = 0; w < writers; w++) {
                start("writer-" + w, writer(ring, ring.newWriter(), w, perWriter, progress, done, positions[w]));
            }
            joinAll();
            assertTrue(sessions.get() > 4, "only " + sessions.get() + " reader sessions");
            assertEquals(0, ring.activeCursors());
        }
    }
}
