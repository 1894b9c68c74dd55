package io.ringbus.core.os;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The processor the calling thread runs on now ({@code sched_getcpu(3)}). The C library answers from the
 * thread's restartable-sequences area or the vDSO, without entering the kernel: about 10-30 ns through FFM
 * here (measured by {@code CurrentCpuTest}'s companion loop, see bus-examples/README.md). The answer can be
 * stale by the time the caller looks at it (the scheduler may move the thread at any moment), so it is a
 * hint: a blocking subscriber uses it to tell whether the publisher that woke it ran on its own processor.
 */
public final class CurrentCpu {
    /** {@code int sched_getcpu(void)}: never blocks, hence critical (no thread-state transition). */
    private static final MethodHandle SCHED_GETCPU = PosixBindings.plainCall("sched_getcpu",
        FunctionDescriptor.of(JAVA_INT), Linker.Option.critical(false));
    /** {@code int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *mask)}; pid 0: the calling thread. */
    private static final MethodHandle SCHED_SETAFFINITY = PosixBindings.plainCall("sched_setaffinity",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    /** Bytes of the C library's {@code cpu_set_t}: room for 1,024 processors. */
    private static final int CPU_SET_BYTES = 128;

    private CurrentCpu() {
    }

    /** The number of the processor the calling thread runs on, or -1 when the system cannot say. */
    public static int id() {
        try {
            int cpu = (int) SCHED_GETCPU.invokeExact();
            return Math.max(cpu, -1);
        } catch (Throwable t) {
            throw PosixBindings.rethrow(t);
        }
    }

    /**
     * Keeps the calling thread on the given processors only ({@code sched_setaffinity(2)}), for tests and
     * benchmarks that need two threads on one processor, or on two.
     *
     * @param cpus processor numbers, each 0 to 1,023
     * @return whether the kernel took the mask (it refuses one naming no processor this thread may use)
     */
    public static boolean pinThisThread(int... cpus) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(CPU_SET_BYTES, Long.BYTES);
            for (int cpu : cpus) {
                if (cpu < 0 || cpu >= CPU_SET_BYTES * Byte.SIZE) {
                    throw new IllegalArgumentException("processor " + cpu + " is out of 0-1023");
                }
                long word = (long) (cpu / Long.SIZE) * Long.BYTES;
                mask.set(ValueLayout.JAVA_LONG, word, mask.get(ValueLayout.JAVA_LONG, word) | 1L << (cpu % Long.SIZE));
            }
            return (int) SCHED_SETAFFINITY.invokeExact(0, (long) CPU_SET_BYTES, mask) == 0;
        } catch (Throwable t) {
            throw PosixBindings.rethrow(t);
        }
    }
}
