package io.ringbus.core.os;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The calling thread's timer slack ({@code prctl(PR_SET_TIMERSLACK)}): how much later than asked the kernel may
 * end a timed sleep, to group wake-ups. Linux gives every thread 50 µs, so a {@code LockSupport.parkNanos(1_000)}
 * sleeps about 75 µs on this project's VMs; with a slack of 1 µs it sleeps about 20 µs (the cost of waking an
 * idle vCPU). A thread whose back-off parks for microseconds between messages (the gateway's) sets a small
 * slack so that a short park stays short.
 */
public final class TimerSlack {
    private static final int PR_SET_TIMERSLACK = 29;
    private static final int PR_GET_TIMERSLACK = 30;
    /** {@code prctl(option, ...)}, variadic: the two options used here read one unsigned long argument. */
    private static final MethodHandle PRCTL = PosixBindings.errnoCall("prctl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), Linker.Option.firstVariadicArg(1));

    private TimerSlack() {
    }

    /**
     * Sets the calling thread's timer slack.
     *
     * @param nanos at least 1 (0 would mean "the process default")
     * @return whether the kernel took it (a seccomp filter may refuse {@code prctl}; the thread then keeps its
     *     slack, which costs latency, nothing else)
     */
    public static boolean setForThisThread(long nanos) {
        if (nanos < 1) {
            throw new IllegalArgumentException("a timer slack of " + nanos + " ns; at least 1 ns");
        }
        return prctl(PR_SET_TIMERSLACK, nanos) == 0;
    }

    /** The calling thread's timer slack in nanoseconds, or -1 when the kernel does not say. */
    public static long ofThisThread() {
        int slack = prctl(PR_GET_TIMERSLACK, 0);
        return slack < 0 ? -1 : slack;
    }

    private static int prctl(int option, long argument) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            int result = (int) PRCTL.invokeExact(state, option, argument);
            return result == -1 ? -PosixBindings.errno(state) : result;
        } catch (Throwable t) {
            throw PosixBindings.rethrow(t);
        }
    }
}
