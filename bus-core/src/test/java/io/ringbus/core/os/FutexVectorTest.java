package io.ringbus.core.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link FutexVector}: one thread waiting on several futex words wakes for any of them. */
class FutexVectorTest {
    private final MemorySegment words = Arena.ofAuto().allocate(4 * Integer.BYTES, 8);

    /**
     * A wait on three words returns the index of the one another thread changed and woke. The post may come
     * before the waiter is in the kernel (then EAGAIN at once, and the round is repeated); never a timeout.
     */
    @Test
    void wakesForTheWordThatWasWoken() throws Exception {
        int outcome = Integer.MIN_VALUE;
        for (int attempt = 0; attempt < 50 && outcome != 2; attempt++) {
            FutexVector vector = new FutexVector();
            for (int i = 0; i < 3; i++) {
                words.set(ValueLayout.JAVA_INT, (long) i * Integer.BYTES, 0);
                vector.add(words, (long) i * Integer.BYTES, 0);
            }
            AtomicInteger result = new AtomicInteger();
            Thread waiter = Thread.ofPlatform().start(() -> result.set(vector.await(60_000_000_000L)));
            Thread.sleep(20); // usually enough to be asleep in futex_waitv; if not, EAGAIN and another round
            words.set(ValueLayout.JAVA_INT, 2L * Integer.BYTES, 1);
            Futex.wake(words, 2L * Integer.BYTES, 1);
            waiter.join();
            outcome = result.get();
            assertTrue(outcome == 2 || outcome == -Errno.EAGAIN, "futex_waitv returned " + outcome);
        }
        assertEquals(2, outcome);
    }

    /** A word that does not hold its expected value ends the wait at once with EAGAIN. */
    @Test
    void aWordThatDiffersReturnsAtOnce() {
        FutexVector vector = new FutexVector();
        words.set(ValueLayout.JAVA_INT, 0, 0);
        words.set(ValueLayout.JAVA_INT, Integer.BYTES, 7);
        vector.add(words, 0, 0);
        vector.add(words, Integer.BYTES, 0);
        assertEquals(-Errno.EAGAIN, vector.await(60_000_000_000L));
    }

    /** With nothing woken, the wait ends at its timeout. */
    @Test
    void timesOut() {
        FutexVector vector = new FutexVector();
        words.set(ValueLayout.JAVA_INT, 0, 0);
        vector.add(words, 0, 0);
        assertEquals(-Errno.ETIMEDOUT, vector.await(1_000_000L));
    }

    /** The kernel's limit: 128 words, then add refuses. */
    @Test
    void holdsAtMost128Words() {
        FutexVector vector = new FutexVector();
        for (int i = 0; i < FutexVector.MAX_WORDS; i++) {
            vector.add(words, 0, 0);
        }
        assertFalse(vector.add(words, 0, 0));
        assertEquals(FutexVector.MAX_WORDS, vector.size());
    }
}
