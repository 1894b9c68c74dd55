package io.ringbus.transport.stream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes descriptors exactly once, and never while a call is using them: a descriptor number closed
 * under a running {@code read} or {@code poll} could be reused by another open in the meantime, and the
 * call would then act on someone else's file.
 *
 * <p>One word holds a closed flag and the number of calls in flight. A call {@link #enter enters}
 * (refused once closed) and {@link #exit exits}; {@link #beginClose} sets the flag and counts itself
 * as a call, so the closer can still signal the descriptors to wake pollers; whoever brings the count
 * to zero with the flag set runs the release, which therefore runs once, after every call left.
 */
final class CloseGuard {
    private static final long CLOSED = 1L << 62;

    private final AtomicLong state = new AtomicLong();
    private final Runnable release;

    CloseGuard(Runnable release) {
        this.release = release;
    }

    /** Counts a call in; false (nothing counted) when closed. */
    boolean enter() {
        while (true) {
            long current = state.get();
            if ((current & CLOSED) != 0) {
                return false;
            }
            if (state.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Counts a call out; the last one out after closing releases. */
    void exit() {
        if (state.decrementAndGet() == CLOSED) {
            release.run();
        }
    }

    /**
     * Closes once, waking every thread that polls {@code wakeFd} beside its descriptor; the release runs
     * when the last call in flight leaves (at once if there is none). Later calls do nothing.
     */
    void closeAndWake(int wakeFd) {
        if (beginClose()) {
            try {
                io.ringbus.core.os.FileDescriptors.wake(wakeFd);
            } finally {
                exit();
            }
        }
    }

    /**
     * Marks closed and counts the caller in; true for the one call that closed (which must then call
     * {@link #exit}), false when already closed (nothing counted).
     */
    boolean beginClose() {
        while (true) {
            long current = state.get();
            if ((current & CLOSED) != 0) {
                return false;
            }
            if (state.compareAndSet(current, (current | CLOSED) + 1)) {
                return true;
            }
        }
    }

    boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }
}
