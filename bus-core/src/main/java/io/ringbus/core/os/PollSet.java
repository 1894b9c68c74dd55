package io.ringbus.core.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * A reusable {@code poll(2)} over a few descriptors (a message queue, the peer's pidfd, a wake-up
 * eventfd): set the entries once or before each wait, {@link #poll}, then read each one's events. No
 * allocation per call. One thread at a time: give each waiting thread its own set.
 */
public final class PollSet {
    private final MemorySegment fds;
    private final MemorySegment state;
    private final int size;

    /** A set of {@code size} entries, each unused (descriptor -1, which {@code poll} skips) until set. */
    public PollSet(int size) {
        if (size < 1 || size > 64) {
            throw new IllegalArgumentException("a poll set has 1 to 64 entries, not " + size);
        }
        Arena arena = Arena.ofAuto();
        this.fds = arena.allocate(PosixBindings.POLLFD.byteSize() * size, 8);
        this.state = PosixBindings.newCallState(arena);
        this.size = size;
        for (int i = 0; i < size; i++) {
            PosixBindings.setPollFd(fds, i, -1, (short) 0);
        }
    }

    /**
     * Sets entry {@code index} to wait for {@code events} ({@link FileDescriptors#POLL_IN},
     * {@link FileDescriptors#POLL_OUT}) on {@code fd}; a negative {@code fd} leaves the entry unused.
     */
    public void set(int index, int fd, int events) {
        PosixBindings.setPollFd(fds, index, fd, (short) events);
    }

    /**
     * Waits until an entry has an event or {@code timeoutNanos} passed (signals do not shorten it).
     *
     * @param timeoutNanos 0 or less checks without waiting; {@code Long.MAX_VALUE} waits without limit
     * @return how many entries have events (0 on timeout), or -errno
     */
    public int poll(long timeoutNanos) {
        long deadline = System.nanoTime() + Math.max(0, timeoutNanos);
        while (true) {
            long remaining = timeoutNanos == Long.MAX_VALUE ? -1 : Math.max(0, deadline - System.nanoTime());
            int millis = remaining < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE,
                (remaining + TimeUnit.MILLISECONDS.toNanos(1) - 1) / TimeUnit.MILLISECONDS.toNanos(1));
            int result = PosixBindings.pollArray(fds, size, millis, state);
            if (result == -Errno.EINTR) {
                continue;
            }
            if (result != 0 || millis <= 0 || timeoutNanos != Long.MAX_VALUE && deadline - System.nanoTime() <= 0) {
                return result;
            }
        }
    }

    /** The events of entry {@code index} after the last {@link #poll} ({@code POLL_*} bits), 0 if none. */
    public int events(int index) {
        return PosixBindings.pollRevents(fds, index);
    }
}
