package io.ringbus.core.ring.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The atomic accessors the ring algorithms use on shared memory. Each takes
 * {@code (MemorySegment, long byteOffset)}; all are native byte order and naturally aligned, which
 * every layout offset guarantees (the descriptors assert it).
 *
 * <p><b>Truncated files.</b> When a peer truncates a mapped file, a Java load or store of a lost
 * page throws {@code InternalError}, which the bus turns into a typed error. A compare-and-set or
 * get-and-add run by the interpreter does not (HotSpot's {@code Unsafe_CompareAndSetInt} lacks the
 * guard; compiled code has it) and the JVM dies of SIGBUS. Two defences: each read-modify-write
 * here first does a plain, guarded load of the same word, so a page lost before it raises
 * {@code InternalError}; and {@link AtomicsWarmUp} has these methods compiled before the first topic is
 * mapped, because interpreted, the way from that load to the atomic instruction is microseconds long
 * (compiled, a few nanoseconds, and guarded even then).
 */
public final class Memory {
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private Memory() {
    }

    /** A volatile load of the long at {@code offset}. */
    public static long getLongVolatile(MemorySegment segment, long offset) {
        return (long) LONG.getVolatile(segment, offset);
    }

    /** A load of the long at {@code offset} with acquire ordering: later accesses stay after it. */
    public static long getLongAcquire(MemorySegment segment, long offset) {
        return (long) LONG.getAcquire(segment, offset);
    }

    /** A store of {@code value} at {@code offset} with release ordering: earlier accesses stay before it. */
    public static void setLongRelease(MemorySegment segment, long offset, long value) {
        LONG.setRelease(segment, offset, value);
    }

    /** A volatile store of {@code value} at {@code offset}. */
    public static void setLongVolatile(MemorySegment segment, long offset, long value) {
        LONG.setVolatile(segment, offset, value);
    }

    /**
     * Compare-and-set of the long at {@code offset} from {@code expected} to {@code value} (a full
     * fence), after a guarded plain load of the same word (see the class comment).
     *
     * @return whether the word held {@code expected} and now holds {@code value}
     */
    public static boolean casLong(MemorySegment segment, long offset, long expected, long value) {
        segment.get(ValueLayout.JAVA_LONG, offset);
        return LONG.compareAndSet(segment, offset, expected, value);
    }

    /** A volatile load of the int at {@code offset}. */
    public static int getIntVolatile(MemorySegment segment, long offset) {
        return (int) INT.getVolatile(segment, offset);
    }

    /** A volatile store of {@code value} at {@code offset}. */
    public static void setIntVolatile(MemorySegment segment, long offset, int value) {
        INT.setVolatile(segment, offset, value);
    }

    /** A store of {@code value} at {@code offset} with release ordering: earlier accesses stay before it. */
    public static void setIntRelease(MemorySegment segment, long offset, int value) {
        INT.setRelease(segment, offset, value);
    }

    /**
     * Atomically adds {@code delta} to the int at {@code offset} (a full fence), after a guarded plain
     * load of the same word.
     *
     * @return the value before the addition
     */
    public static int getAndAddInt(MemorySegment segment, long offset, int delta) {
        segment.get(ValueLayout.JAVA_INT, offset);
        return (int) INT.getAndAdd(segment, offset, delta);
    }

    /**
     * Compare-and-set of the int at {@code offset} from {@code expected} to {@code value} (a full
     * fence), after a guarded plain load of the same word.
     *
     * @return whether the word held {@code expected} and now holds {@code value}
     */
    public static boolean casInt(MemorySegment segment, long offset, int expected, int value) {
        segment.get(ValueLayout.JAVA_INT, offset);
        return INT.compareAndSet(segment, offset, expected, value);
    }
}
