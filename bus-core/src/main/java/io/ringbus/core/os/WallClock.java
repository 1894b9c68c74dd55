package io.ringbus.core.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The wall clock in nanoseconds since the Unix epoch, read with {@code clock_gettime(CLOCK_REALTIME)}: the
 * same clock in every process of the machine, so times stamped by one process compare with those of another.
 * Nothing is allocated per read (the {@code timespec} is this object's own native memory). One thread at a
 * time per instance.
 */
public final class WallClock {
    private static final int CLOCK_REALTIME = 0;

    private final MemorySegment timespec = Arena.ofAuto().allocate(PosixBindings.TIMESPEC);
    private final long address = timespec.address();

    /** Nanoseconds since 1970-01-01T00:00:00Z now. */
    public long epochNanos() {
        if (PosixBindings.clockGettime(CLOCK_REALTIME, address) != 0) {
            return System.currentTimeMillis() * 1_000_000L; // cannot fail for CLOCK_REALTIME on Linux
        }
        return timespec.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + timespec.get(ValueLayout.JAVA_LONG, 8);
    }
}
