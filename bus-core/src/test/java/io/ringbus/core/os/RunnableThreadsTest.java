package io.ringbus.core.os;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The runnable count read from {@code /proc/loadavg}: the asking thread itself is running, so at least one. */
class RunnableThreadsTest {
    @Test
    void countsAtLeastTheCallerOnLinux() {
        assertTrue(RunnableThreads.available(), "/proc/loadavg could not be opened");
        RunnableThreads reader = new RunnableThreads();
        for (int i = 0; i < 3; i++) {
            int runnable = reader.runnable();
            assertTrue(runnable >= 1, "runnable threads " + runnable + ", the caller itself not counted");
        }
    }
}
