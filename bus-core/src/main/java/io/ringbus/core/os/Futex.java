package io.ringbus.core.os;

import io.ringbus.core.CorruptRingException;
import io.ringbus.core.RingBusException;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Blocking on a 32-bit word in shared memory, across threads and processes: the Linux futex system
 * call, shared (not process-private) because the word lives in a {@code MAP_SHARED} file.
 *
 * <p>{@link #wait} sleeps only if the word still holds {@code expected} when the kernel looks at it,
 * atomically with queueing the caller, so a waker that changes the word and then calls {@link #wake}
 * can never be missed. Wake-ups may be spurious: callers re-check their condition in a loop.
 *
 * <p>The call is made on the raw address without holding the segment's scope, so closing a topic
 * while a thread waits is allowed; a word whose page is gone (the file was truncated or unmapped)
 * gives {@link CorruptRingException} (the kernel's EFAULT), never a crash. {@code Thread.interrupt()}
 * does not end a wait: wait in slices and check the interrupt flag between them.
 */
public final class Futex {
    /** Timeout value that waits until woken. */
    public static final long NO_TIMEOUT = -1;

    /** Why {@link #wait} returned. */
    public enum WaitResult {
        /** A {@link #wake} (or a spurious wake-up) ended the wait. */
        WOKEN,
        /** The word did not hold the expected value: no wait took place. */
        VALUE_CHANGED,
        /** The timeout passed. */
        TIMED_OUT,
        /** A signal handler ran (such as ringbus's signal wake-up mode). */
        INTERRUPTED
    }

    private Futex() {
    }

    /**
     * Sleeps while the 32-bit word at {@code offset} holds {@code expected}, until woken or for at most
     * {@code timeoutNanos} ({@link #NO_TIMEOUT} for no limit; a relative CLOCK_MONOTONIC time).
     *
     * @throws CorruptRingException the word's page is not mapped any more (the file shrank)
     */
    public static WaitResult wait(MemorySegment segment, long offset, int expected, long timeoutNanos) {
        if (timeoutNanos < 0 && timeoutNanos != NO_TIMEOUT) {
            throw new IllegalArgumentException("Timeout must be zero or more, or NO_TIMEOUT: " + timeoutNanos);
        }
        int result = PosixBindings.futexWait(address(segment, offset), expected, timeoutNanos);
        return switch (-result) {
            case 0 -> WaitResult.WOKEN;
            case Errno.EAGAIN -> WaitResult.VALUE_CHANGED;
            case Errno.ETIMEDOUT -> WaitResult.TIMED_OUT;
            case Errno.EINTR -> WaitResult.INTERRUPTED;
            default -> throw failure("wait on", segment, offset, -result);
        };
    }

    /**
     * Wakes up to {@code count} waiters on the word at {@code offset} ({@code Integer.MAX_VALUE} for all).
     *
     * @return how many waiters were woken
     * @throws CorruptRingException the word's page is not mapped any more (the file shrank)
     */
    public static int wake(MemorySegment segment, long offset, int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("Count must be positive: " + count);
        }
        int result = PosixBindings.futexWake(address(segment, offset), count);
        if (result < 0) {
            throw failure("wake", segment, offset, -result);
        }
        return result;
    }

    private static long address(MemorySegment segment, long offset) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("A futex word must be in native (mapped) memory, not " + segment);
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("The segment of the futex word is already closed");
        }
        Objects.checkFromIndexSize(offset, Integer.BYTES, segment.byteSize());
        long address = segment.address() + offset;
        if ((address & (Integer.BYTES - 1)) != 0) {
            throw new IllegalArgumentException("A futex word must be 4-byte aligned: offset " + offset);
        }
        return address;
    }

    private static RingBusException failure(String action, MemorySegment segment, long offset, int errno) {
        String where = "the futex word at offset " + offset + " of a " + segment.byteSize() + "-byte segment";
        if (errno == Errno.EFAULT) {
            return new CorruptRingException("Cannot " + action + " " + where + ": " + Errno.describe(errno)
                + ". Its page is no longer mapped: another process truncated the file. Close the topic, remove"
                + " the file and create it again.");
        }
        return new RingBusException("Cannot " + action + " " + where + ": " + Errno.describe(errno)
            + ". This is unexpected; check the kernel log.");
    }
}
