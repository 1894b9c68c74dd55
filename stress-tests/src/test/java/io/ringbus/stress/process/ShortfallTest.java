package io.ringbus.stress.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * How the harness tells a lost message from one in flight in a killed durable stream subscriber's stream.
 * Once, {@code ./bus stress --via pipe --seed 7028816517446} failed with "lost 45" (then 100, 72): the
 * durable subscriber was killed -9 before it had read anything, the bridge had written the first 36
 * messages of each publisher into its stream, and its successor's first message of each publisher
 * (sequence 36) was counted as 36 lost instead of a resume gap within the forwarding window.
 */
class ShortfallTest {
    @Test
    void aDurableStreamSubscriberKilledBeforeItsFirstMessageHasAResumeGapNotALoss() {
        // committed 12256, owed from 0, first accepted 36 (first = 37), all the rest, resumed with next 0.
        assertEquals(new StressRun.Shortfall(0, 36), StressRun.Shortfall.of(true, true, 12256, 0, 37, 12256, 1));
    }

    @Test
    void otherwiseMissingMessagesAreLost() {
        // Not resumed: the 36 before its first message are lost.
        assertEquals(new StressRun.Shortfall(36, 0), StressRun.Shortfall.of(true, true, 12256, 0, 37, 12256, 0));
        // On shared memory a durable resume loses nothing at all.
        assertEquals(new StressRun.Shortfall(36, 0), StressRun.Shortfall.of(false, true, 12256, 0, 37, 12256, 1));
        // Resumed after it had messages of this publisher: a gap at its first message is a loss.
        assertEquals(new StressRun.Shortfall(36, 0), StressRun.Shortfall.of(true, true, 12256, 0, 37, 12256, 500));
        // The end it lacks, while there at the end, is lost.
        assertEquals(new StressRun.Shortfall(6, 0), StressRun.Shortfall.of(true, true, 100, 0, 1, 94, 50));
        // Nothing of it since the last resume: what follows may have been in flight.
        assertEquals(new StressRun.Shortfall(0, 6), StressRun.Shortfall.of(true, true, 100, 0, 1, 94, 95));
        // Nothing at all, not durable, there at the end: everything owed is lost.
        assertEquals(new StressRun.Shortfall(100, 0), StressRun.Shortfall.of(false, true, 100, 0, 0, 0, 0));
    }
}
