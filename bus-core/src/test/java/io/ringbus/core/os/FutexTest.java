package io.ringbus.core.os;

import io.ringbus.core.CorruptRingException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** {@link Futex} between threads on a mapped file, and its failures. */
class FutexTest {
    private static final long TEN_SECONDS = TimeUnit.SECONDS.toNanos(10);

    private final Path dir = OsTestSupport.newDirectory("/dev/shm");
    private final MappedFile mapped = SharedFiles.createExclusive(dir.resolve("topic"), 8192, SharedFiles.FILE_MODE);
    private final MemorySegment segment = mapped.segment();

    @AfterEach
    void cleanUp() {
        mapped.close();
        OsTestSupport.deleteTree(dir);
    }

    @Test
    void wakeReachesAThreadParkedOnTheWord() throws Exception {
        Future<Futex.WaitResult> waiter = onNewThread(() -> Futex.wait(segment, 64, 0, TEN_SECONDS));
        // The word never changes, so the waiter can only return through a wake: retry until it is parked.
        long deadline = System.nanoTime() + TEN_SECONDS;
        int woken = 0;
        while (woken == 0 && System.nanoTime() < deadline) {
            woken = Futex.wake(segment, 64, 1);
            Thread.sleep(1);
        }
        assertEquals(1, woken);
        assertEquals(Futex.WaitResult.WOKEN, waiter.get(10, TimeUnit.SECONDS));
    }

    @Test
    void wakeCountsAreHonoured() throws Exception {
        List<Future<Futex.WaitResult>> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(onNewThread(() -> Futex.wait(segment, 128, 0, TEN_SECONDS)));
        }
        long deadline = System.nanoTime() + TEN_SECONDS;
        int total = 0;
        while (total < 3 && System.nanoTime() < deadline) {
            int woken = Futex.wake(segment, 128, 2);
            assertTrue(woken <= 2, "woke " + woken);
            total += woken;
            Thread.sleep(1);
        }
        assertEquals(3, total);
        for (Future<Futex.WaitResult> waiter : waiters) {
            assertEquals(Futex.WaitResult.WOKEN, waiter.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aChangedWordIsNotWaitedOn() {
        segment.set(ValueLayout.JAVA_INT, 0, 7);
        assertEquals(Futex.WaitResult.VALUE_CHANGED, Futex.wait(segment, 0, 6, TEN_SECONDS));
        assertEquals(Futex.WaitResult.VALUE_CHANGED, Futex.wait(segment, 0, -1, Futex.NO_TIMEOUT));
    }

    @Test
    void waitTimesOut() {
        long timeout = TimeUnit.MILLISECONDS.toNanos(50);
        long start = System.nanoTime();
        assertEquals(Futex.WaitResult.TIMED_OUT, Futex.wait(segment, 4, 0, timeout));
        assertTrue(System.nanoTime() - start >= timeout, "waited at least the timeout");
        assertEquals(Futex.WaitResult.TIMED_OUT, Futex.wait(segment, 4, 0, 0));
    }

    @Test
    void wakeWithoutWaitersWakesNobody() {
        assertEquals(0, Futex.wake(segment, 0, Integer.MAX_VALUE));
    }

    @Test
    void aWordWhosePageIsGoneIsATypedErrorNotACrash() {
        assertEquals(0, PosixBindings.ftruncate(mapped.fd(), 0), "a peer truncates the file");
        assertThrows(CorruptRingException.class, () -> Futex.wait(segment, 4096, 0, 1_000_000));
        assertThrows(CorruptRingException.class, () -> Futex.wake(segment, 4096, 1));
    }

    @Test
    void javaAccessToALostPageThrowsInternalErrorNotSigbus() {
        PosixBindings.ftruncate(mapped.fd(), 0);
        InternalError e = assertThrows(InternalError.class, () -> segment.get(ValueLayout.JAVA_INT, 4096));
        assertNotNull(e.getMessage());
    }

    @Test
    void refusesBadWords() {
        assertThrows(IllegalArgumentException.class, () -> Futex.wait(segment, 2, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Futex.wait(segment, 8190, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Futex.wait(MemorySegment.ofArray(new int[4]), 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Futex.wait(segment, 0, 0, -2));
        assertThrows(IllegalArgumentException.class, () -> Futex.wake(segment, 0, 0));
        MemorySegment closed;
        try (Arena arena = Arena.ofConfined()) {
            closed = arena.allocate(8, 8);
        }
        assertThrows(IllegalStateException.class, () -> Futex.wake(closed, 0, 1));
    }

    /** A platform thread each: a blocked futex call holds its thread (and would pin a virtual thread's carrier). */
    static <T> Future<T> onNewThread(Callable<T> body) {
        FutureTask<T> task = new FutureTask<>(body);
        Thread thread = new Thread(task, "futex-waiter");
        thread.setDaemon(true);
        thread.start();
        return task;
    }
}
