package io.ringbus.core.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The wait regime's rules, fed reports directly: spin while spins catch messages on the core or a processor
 * is idle, park at once otherwise, and probe with a spin now and then.
 */
class WaitRegimeTest {
    private static final int PROCESSORS = 2;

    /** Runnable threads as {@code /proc/loadavg} would say; settable per test. */
    private int runnable = PROCESSORS;

    /** A regime past its warm-up (reports of caught messages, which change nothing). */
    private WaitRegime regime(boolean enabled) {
        WaitRegime regime = new WaitRegime(enabled, () -> runnable, PROCESSORS);
        for (int i = 0; i < WaitRegime.WARM_UP_REPORTS; i++) {
            regime.onSpun(true);
        }
        return regime;
    }

    @Test
    void noMissDuringTheWarmUpMakesItPark() {
        WaitRegime regime = new WaitRegime(true, () -> runnable, PROCESSORS);
        for (int i = 0; i < WaitRegime.WARM_UP_REPORTS; i++) {
            regime.onSpun(false);
            assertFalse(regime.parksFirst());
        }
        assertTrue(missUntilItParks(regime) > 1);
    }

    /** Reports misses until the regime parks at once; returns how many it took. */
    private static int missUntilItParks(WaitRegime regime) {
        int misses = 0;
        while (!regime.parksFirst() && misses < 100) {
            regime.onSpun(false);
            misses++;
        }
        return misses;
    }

    @Test
    void spinsFirstAndKeepsSpinningWhileSpinsCatchTheirMessage() {
        WaitRegime regime = regime(true);
        for (int i = 0; i < 1_000; i++) {
            assertFalse(regime.parkAtOnce());
            regime.onSpun(i % 3 != 0); // two in three caught
        }
        assertFalse(regime.parksFirst());
    }

    @Test
    void parksAtOnceWhenSpinsKeepMissingAndNoProcessorIsIdle() {
        WaitRegime regime = regime(true);
        int misses = missUntilItParks(regime);
        assertTrue(regime.parksFirst(), "still spinning after " + misses + " misses");
        assertTrue(misses > 1, "one miss is a disturbance, not a busy machine");
        assertTrue(regime.parkAtOnce());
    }

    @Test
    void anIdleProcessorKeepsItSpinningWhateverTheMisses() {
        runnable = 1;
        WaitRegime regime = regime(true);
        for (int i = 0; i < 1_000; i++) {
            regime.onSpun(false);
        }
        assertFalse(regime.parksFirst());
        assertFalse(regime.parkAtOnce());
    }

    @Test
    void anUnknownRunnableCountDecidesByTheSpinsAlone() {
        runnable = -1;
        WaitRegime regime = regime(true);
        missUntilItParks(regime);
        assertTrue(regime.parksFirst());
    }

    @Test
    void whileParkingEveryFewWaitsIsAProbeThatSpins() {
        WaitRegime regime = regime(true);
        missUntilItParks(regime);
        assertEquals(WaitRegime.FIRST_PROBE_INTERVAL - 1, parksBeforeTheProbe(regime));
    }

    @Test
    void aProbeThatMissesDoublesTheIntervalUpToItsCap() {
        WaitRegime regime = regime(true);
        missUntilItParks(regime);
        int interval = WaitRegime.FIRST_PROBE_INTERVAL;
        assertEquals(interval - 1, parksBeforeTheProbe(regime));
        for (int i = 0; i < 12; i++) {
            regime.onSpun(false);
            interval = Math.min(2 * interval, WaitRegime.MAX_PROBE_INTERVAL);
            assertEquals(interval - 1, parksBeforeTheProbe(regime));
        }
        assertEquals(WaitRegime.MAX_PROBE_INTERVAL, interval);
    }

    @Test
    void aProbeThatCatchesItsMessageTurnsItBackToSpinning() {
        WaitRegime regime = regime(true);
        missUntilItParks(regime);
        parksBeforeTheProbe(regime);
        regime.onSpun(true);
        assertFalse(regime.parksFirst());
        assertFalse(regime.parkAtOnce());
    }

    @Test
    void aProbeThatFindsAnIdleProcessorTurnsItBackToSpinning() {
        WaitRegime regime = regime(true);
        missUntilItParks(regime);
        runnable = 1;
        parksBeforeTheProbe(regime);
        assertFalse(regime.parksFirst());
        assertFalse(regime.parkAtOnce());
    }

    @Test
    void withAdaptiveSpinOffItNeverParksAtOnce() {
        WaitRegime regime = regime(false);
        for (int i = 0; i < 1_000; i++) {
            regime.onSpun(false);
            assertFalse(regime.parkAtOnce());
        }
    }

    /** Calls {@code parkAtOnce} until it says spin (the probe); returns how many said park before it. */
    private static int parksBeforeTheProbe(WaitRegime regime) {
        int parks = 0;
        while (regime.parkAtOnce()) {
            parks++;
            if (parks > 10 * WaitRegime.MAX_PROBE_INTERVAL) {
                throw new AssertionError("no probe in " + parks + " waits");
            }
        }
        return parks;
    }
}
