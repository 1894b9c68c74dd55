package io.ringbus.core.topic;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The park-at-once rule, fed the processors of wakeups directly: the waker's and the woken thread's. */
class SharedCoreTest {
    @Test
    void pollsFirstUntilAWakeupSaysOtherwise() {
        assertFalse(new SharedCore(true).parkAtOnce());
    }

    @Test
    void parksAtOnceWhileItsWakerRunsOnItsProcessorAndPollsAgainWhenNot() {
        SharedCore core = new SharedCore(true);
        core.onWoken(1, 1);
        assertTrue(core.parkAtOnce(), "the waker shared this processor: polling would only hold it back");
        core.onWoken(1, 1);
        assertTrue(core.parkAtOnce());
        core.onWoken(0, 1);
        assertFalse(core.parkAtOnce(), "moved apart: polling may catch the reply without a wakeup");
        core.onWoken(3, 3);
        assertTrue(core.parkAtOnce(), "any processor, not only the first ones");
    }

    @Test
    void aProcessorNotKnownChangesNothing() {
        SharedCore core = new SharedCore(true);
        core.onWoken(-1, 0); // a publisher of an older ringbus stamps none (the slot holds 0, read as -1)
        core.onWoken(0, -1);
        assertFalse(core.parkAtOnce());
        core.onWoken(2, 2);
        core.onWoken(-1, 2);
        core.onWoken(2, -1);
        assertTrue(core.parkAtOnce(), "still the last wakeup that said");
    }

    @Test
    void disabledItNeverParksAtOnce() {
        SharedCore core = new SharedCore(false);
        core.onWoken(1, 1);
        assertFalse(core.parkAtOnce());
    }
}
