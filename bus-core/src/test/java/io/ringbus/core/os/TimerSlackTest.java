package io.ringbus.core.os;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TimerSlackTest {
    @Test
    void aThreadSetsItsOwnSlackAndNoOtherThreads() throws InterruptedException {
        long before = TimerSlack.ofThisThread();
        assertTrue(before > 0, "the kernel reports a slack: " + before);
        AtomicLong seenThere = new AtomicLong();
        Thread other = new Thread(() -> {
            assertTrue(TimerSlack.setForThisThread(1_000));
            seenThere.set(TimerSlack.ofThisThread());
        });
        other.start();
        other.join();
        assertEquals(1_000, seenThere.get());
        assertEquals(before, TimerSlack.ofThisThread(), "another thread's slack is its own");
    }

    @Test
    void aSlackOfZeroIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> TimerSlack.setForThisThread(0));
    }
}
