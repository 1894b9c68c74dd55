package io.ringbus.core.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * One thread waiting on up to {@link #MAX_WORDS} futex words at once ({@code futex_waitv}, Linux 5.16 and
 * later): it sleeps while every word holds its expected value and wakes when any is woken ({@link Futex#wake},
 * or a publisher's wake of a parked subscriber's word). Shared (not private) futexes, so words in topic files
 * written by other processes work. A bridge's event loop uses it to wait for many subscriptions' rings with one
 * thread. Words are given as raw addresses taken from live segments; a word whose memory goes away while the
 * thread waits only leaves the wait to its timeout. No allocation per call; one thread at a time.
 *
 * <pre>
 *   struct futex_waitv { u64 val; u64 uaddr; u32 flags (FUTEX2_SIZE_U32); u32 reserved; }   24 bytes
 * </pre>
 */
public final class FutexVector {
    /** The kernel's limit on the words of one wait. */
    public static final int MAX_WORDS = 128;
    private static final int ENTRY_BYTES = 24;
    private static final int FUTEX2_SIZE_U32 = 0x02;
    /** {@code futex_waitv}: 449 in the unified syscall table of x86_64 and aarch64 alike. */
    private static final long SYS_FUTEX_WAITV = 449;
    /** The clock of {@code System.nanoTime()} on Linux, and of the wait's absolute deadline. */
    private static final long CLOCK_MONOTONIC = 1;
    /** {@code syscall(SYS_futex_waitv, waiters, count, flags, deadline, clockid)}. */
    private static final MethodHandle SYSCALL_FUTEX_WAITV = PosixBindings.errnoCall("syscall",
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
        Linker.Option.firstVariadicArg(1));

    private final MemorySegment entries;
    private final MemorySegment deadline;
    private final MemorySegment state;
    private int size;

    /** An empty vector. */
    public FutexVector() {
        Arena arena = Arena.ofAuto();
        this.entries = arena.allocate((long) ENTRY_BYTES * MAX_WORDS, 8);
        this.deadline = arena.allocate(16, 8); // struct timespec: tv_sec, tv_nsec
        this.state = PosixBindings.newCallState(arena);
    }

    /** Removes every word. */
    public void clear() {
        size = 0;
    }

    /** How many words are set. */
    public int size() {
        return size;
    }

    /**
     * Adds the 4-byte aligned word at {@code offset} of the native {@code segment}, expected to hold
     * {@code expected}.
     *
     * @return false (nothing added) when the vector holds {@link #MAX_WORDS} words already
     */
    public boolean add(MemorySegment segment, long offset, int expected) {
        if (size == MAX_WORDS) {
            return false;
        }
        if (!segment.isNative() || offset < 0 || offset + Integer.BYTES > segment.byteSize()) {
            throw new IllegalArgumentException("a futex word must lie in native memory: offset " + offset + " of "
                + segment);
        }
        long address = segment.address() + offset;
        if ((address & (Integer.BYTES - 1)) != 0) {
            throw new IllegalArgumentException("a futex word must be 4-byte aligned: offset " + offset);
        }
        long entry = (long) size * ENTRY_BYTES;
        entries.set(ValueLayout.JAVA_LONG, entry, expected & 0xFFFF_FFFFL);
        entries.set(ValueLayout.JAVA_LONG, entry + 8, address);
        entries.set(ValueLayout.JAVA_INT, entry + 16, FUTEX2_SIZE_U32);
        entries.set(ValueLayout.JAVA_INT, entry + 20, 0);
        size++;
        return true;
    }

    /** Makes this vector hold the words of {@code other}. */
    public void copyFrom(FutexVector other) {
        MemorySegment.copy(other.entries, 0, entries, 0, (long) other.size * ENTRY_BYTES);
        size = other.size;
    }

    /**
     * Sleeps until a word is woken, a word no longer holds its expected value (then at once), or
     * {@code timeoutNanos} passed.
     *
     * @return the index of a woken word; or -errno: {@code EAGAIN} (a word differed), {@code ETIMEDOUT},
     *     {@code EINTR}, {@code EFAULT} (a word's memory is gone), {@code ENOSYS} (a kernel older than 5.16)
     */
    public int await(long timeoutNanos) {
        if (size == 0) {
            throw new IllegalStateException("no futex word to wait on");
        }
        long at = System.nanoTime() + Math.max(0, timeoutNanos);
        deadline.set(ValueLayout.JAVA_LONG, 0, at / 1_000_000_000L);
        deadline.set(ValueLayout.JAVA_LONG, 8, at % 1_000_000_000L);
        try {
            long result = (long) SYSCALL_FUTEX_WAITV.invokeExact(state, SYS_FUTEX_WAITV, entries, (long) size, 0L,
                deadline, CLOCK_MONOTONIC);
            return result >= 0 ? (int) result : -PosixBindings.errno(state);
        } catch (Throwable t) {
            throw PosixBindings.rethrow(t);
        }
    }
}
