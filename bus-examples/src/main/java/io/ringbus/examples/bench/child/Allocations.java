package io.ringbus.examples.bench.child;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated by the calling thread so far, from HotSpot's per-thread counter: a child reads it
 * before and after its loop and reports the difference, so every run shows its bytes per message
 * (zero, when the loop is as it should be).
 */
final class Allocations {
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocations() {
    }

    static long current() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }
}
