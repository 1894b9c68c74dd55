package io.ringbus.core.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The spin budget's rules, fed measurements directly: learnt from wakeups, capped, paused when it keeps missing. */
class SpinBudgetTest {
    @Test
    void noBudgetBeforeTheFirstMeasuredWakeup() {
        SpinBudget budget = new SpinBudget(true);
        assertEquals(0, budget.nanos());
        budget.onWoken(40_000);
        assertEquals(2 * 40_000, budget.nanos(), "two wakeups: the peer's before it answers, and our own");
    }

    @Test
    void aDisabledBudgetNeverSpinsButStillLearns() {
        SpinBudget budget = new SpinBudget(false);
        budget.onWoken(40_000);
        assertEquals(0, budget.nanos());
        assertEquals(40_000, budget.wakeCostNanos());
    }

    @Test
    void followsWhatWakeupsCostNowWithAMovingAverage() {
        SpinBudget budget = new SpinBudget(true);
        budget.onWoken(40_000); // idle vCPUs
        for (int i = 0; i < 100; i++) {
            budget.onWoken(5_000); // a busy process keeps them awake
        }
        long learnt = budget.wakeCostNanos();
        assertEquals(5_000, learnt, 100);
        assertEquals(2 * learnt, budget.nanos());
        budget.onWoken(18_000); // within the outlier clip: counts in full
        assertEquals(learnt + (18_000 - learnt) / 8, budget.wakeCostNanos(), 1);
    }

    @Test
    void aSampleFarAboveTheAverageCountsAsFourTimesIt() {
        SpinBudget budget = new SpinBudget(true);
        budget.onWoken(2_000);
        budget.onArrival(3_000);
        budget.onWoken(1_000_000); // a wakeup that lost its core to a busy process for a scheduler slice
        budget.onArrival(1_000_000);
        assertEquals(2_000 + (4 * 2_000 - 2_000) / 8, budget.wakeCostNanos());
        assertEquals(3_000 + (4 * 3_000 - 3_000) / 8, budget.arrivalNanos());
        for (int i = 0; i < 30; i++) {
            budget.onWoken(40_000); // a real change (the vCPUs went idle) still takes over
        }
        assertEquals(40_000, budget.wakeCostNanos(), 2_000);
    }

    @Test
    void ignoresImpossibleSamplesAndCapsTheBudget() {
        SpinBudget budget = new SpinBudget(true);
        budget.onWoken(0);
        budget.onWoken(-5);
        budget.onWoken(SpinBudget.MAX_SAMPLE_NANOS + 1); // a stale stamp
        assertEquals(0, budget.wakeCostNanos());
        budget.onWoken(900_000); // a signal on a loaded machine
        assertEquals(SpinBudget.MAX_BUDGET_NANOS, budget.nanos());
        assertEquals(900_000, budget.wakeCostNanos());
    }

    @Test
    void pausesAfterMissingInARowThenProbesOnce() {
        SpinBudget budget = new SpinBudget(true);
        budget.onWoken(30_000);
        for (int i = 0; i < SpinBudget.MISSES_BEFORE_PAUSE - 1; i++) {
            assertEquals(60_000, budget.nanos());
            budget.onMiss();
        }
        budget.onHit(0); // a hit starts the count again
        for (int i = 0; i < SpinBudget.MISSES_BEFORE_PAUSE; i++) {
            assertEquals(60_000, budget.nanos());
            budget.onMiss();
        }
        for (int i = 0; i < SpinBudget.PAUSED_AWAITS; i++) {
            assertEquals(0, budget.nanos(), "paused wait " + i);
        }
        assertEquals(60_000, budget.nanos(), "the probe after the pause");
        budget.onMiss(); // the probe missed too: paused again at once
        assertEquals(0, budget.nanos());
        for (int i = 1; i < SpinBudget.PAUSED_AWAITS; i++) {
            budget.nanos();
        }
        assertEquals(60_000, budget.nanos());
        budget.onHit(0); // the probe hit: spinning again, with the full count of misses before the next pause
        for (int i = 0; i < SpinBudget.MISSES_BEFORE_PAUSE - 1; i++) {
            assertEquals(60_000, budget.nanos());
            budget.onMiss();
        }
        assertEquals(60_000, budget.nanos());
    }

    @Test
    void coversTheArrivalsItSeesWithHalfAgainToSpare() {
        SpinBudget budget = new SpinBudget(true);
        budget.onWoken(2_000); // two wakeups: 4 us
        budget.onArrival(6_000); // but replies come 6 us after a wait begins
        assertEquals(9_000, budget.nanos());
        budget.onHit(500); // once both sides spin, replies come at once: the wakeups' share remains
        for (int i = 0; i < 100; i++) {
            budget.onHit(500);
        }
        assertEquals(4_000, budget.nanos());
        budget.onArrival(SpinBudget.MAX_SAMPLE_NANOS + 1); // a quiet topic's gap is no burst's: ignored
        assertEquals(4_000, budget.nanos());
        SpinBudget arrivalsOnly = new SpinBudget(true);
        arrivalsOnly.onArrival(1_000_000); // slow arrivals: capped
        assertEquals(SpinBudget.MAX_BUDGET_NANOS, arrivalsOnly.nanos());
    }

    @Test
    void pollsOnItsCoreForTwiceTheArrivalsThenYields() {
        SpinBudget budget = new SpinBudget(true);
        budget.onWoken(20_000);
        budget.onArrival(600);
        assertEquals(1_200, budget.busyNanos(budget.nanos()));
        for (int i = 0; i < 30; i++) {
            budget.onArrival(SpinBudget.MAX_BUDGET_NANOS);
        }
        assertEquals(budget.nanos(), budget.busyNanos(budget.nanos()), "never past the budget");
    }
}
