package io.ringbus.core.ring.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Gets the JIT to compile {@link Memory}'s read-modify-write accessors before this JVM uses its first
 * shared mapping.
 *
 * <p><b>Why.</b> When a peer truncates a mapped file, HotSpot turns the SIGBUS of a load, a store, or a
 * compiled compare-and-set into {@code InternalError}, which the bus reports as a typed error. The
 * interpreter's compare-and-set and get-and-add run in C++ ({@code Unsafe_CompareAndSetLong}) without
 * that guard, so a truncation landing in one kills the JVM. A young JVM interprets everything, and in
 * the interpreter the path from {@link Memory}'s guard load to the atomic instruction is microseconds
 * long: a hostile truncation right after a process opened a topic killed it now and then (the stress
 * test's truncate episodes). Once these three methods are compiled, interpreted callers call the
 * compiled code, whose atomics are guarded. ({@code TruncationUnderAYoungJvmTest} measured it: a
 * process doing compare-and-sets with the JIT held back was killed in 13 of 24 truncations without the
 * warm-up, in none of 72 with it.)
 *
 * <p><b>How.</b> Calls each accessor on a private segment of the kind a topic's mapping is (native memory
 * in a shared arena, so the compiled code's type profile matches) in rounds of {@link #CALLS_PER_ROUND},
 * until a round of each runs at compiled speed (under {@link #COMPILED_NANOS_PER_CALL} a call; interpreted,
 * a call costs several hundred nanoseconds or more) or {@link #TIME_LIMIT_NANOS} has passed. The rounds
 * call through method handles held in non-final fields, which the JIT cannot inline: a round is fast only
 * when the accessor itself is compiled, not when the loop around it is. Runs once per JVM, from the static
 * initialisers of {@code TopicFile} and {@link io.ringbus.core.ring.Ring}, so before any topic or ring is used;
 * it takes about 50 ms on this project's 2-vCPU machine (the rounds' own method-handle calls have to be
 * compiled too). A JVM that only interprets ({@code -Xint}) skips it: nothing would come of it. A ring used
 * alone on a {@code FileChannel.map} segment is another class of segment: the JIT may drop the compiled
 * accessors when it first meets one and compile them again, a short window this warm-up does not cover.
 */
public final class AtomicsWarmUp {
    static final int CALLS_PER_ROUND = 1_000;
    static final long COMPILED_NANOS_PER_CALL = 100;
    static final long TIME_LIMIT_NANOS = 2_000_000_000L;

    /**
     * What the warm-up did.
     *
     * @param compiled whether every accessor reached compiled speed within the time limit
     * @param rounds the rounds run
     * @param elapsedNanos how long it took
     * @param reason why it stopped, for a person
     */
    public record Outcome(boolean compiled, int rounds, long elapsedNanos, String reason) {
    }

    /** Holder idiom: the JVM runs the warm-up once, and other threads wait for it. */
    private static final class Once {
        static final Outcome OUTCOME = runSafely();
    }

    private static long sink;
    // Not final on purpose: a constant handle would be inlined into the round's loop (see the class doc).
    private static MethodHandle casLongCall;
    private static MethodHandle casIntCall;
    private static MethodHandle getAndAddIntCall;

    private AtomicsWarmUp() {
    }

    /** Runs the warm-up if this JVM has not yet, and returns what it did. Never throws. */
    public static Outcome ensureCompiled() {
        return Once.OUTCOME;
    }

    private static Outcome runSafely() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            casLongCall = lookup.findStatic(Memory.class, "casLong",
                MethodType.methodType(boolean.class, MemorySegment.class, long.class, long.class, long.class));
            casIntCall = lookup.findStatic(Memory.class, "casInt",
                MethodType.methodType(boolean.class, MemorySegment.class, long.class, int.class, int.class));
            getAndAddIntCall = lookup.findStatic(Memory.class, "getAndAddInt",
                MethodType.methodType(int.class, MemorySegment.class, long.class, int.class));
            return run();
        } catch (Throwable e) {
            // Best effort: a failed warm-up leaves the bus as safe as it was without one.
            return new Outcome(false, 0, 0, "the warm-up failed: " + e);
        }
    }

    private static Outcome run() throws Throwable {
        String vmInfo = System.getProperty("java.vm.info", "");
        if (vmInfo.contains("interpreted mode")) {
            return new Outcome(false, 0, 0, "this JVM only interprets (-Xint)");
        }
        long start = System.nanoTime();
        int rounds = 0;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment scratch = arena.allocate(64, 64);
            boolean longCasFast = false;
            boolean intCasFast = false;
            boolean addFast = false;
            while (!(longCasFast && intCasFast && addFast)) {
                if (System.nanoTime() - start > TIME_LIMIT_NANOS) {
                    return new Outcome(false, rounds, System.nanoTime() - start,
                        "not at compiled speed after " + rounds + " rounds");
                }
                rounds++;
                longCasFast |= isCompiledSpeed(roundOfCasLong(scratch));
                intCasFast |= isCompiledSpeed(roundOfCasInt(scratch));
                addFast |= isCompiledSpeed(roundOfGetAndAddInt(scratch));
            }
        }
        return new Outcome(true, rounds, System.nanoTime() - start, "compiled");
    }

    private static boolean isCompiledSpeed(long roundNanos) {
        return roundNanos < COMPILED_NANOS_PER_CALL * CALLS_PER_ROUND;
    }

    private static long roundOfCasLong(MemorySegment scratch) throws Throwable {
        long start = System.nanoTime();
        long successes = 0;
        for (int i = 0; i < CALLS_PER_ROUND; i++) {
            long seen = Memory.getLongAcquire(scratch, 0);
            // Alternate a winning and a losing expected value, as contended callers see both.
            if ((boolean) casLongCall.invokeExact(scratch, 0L, (i & 1) == 0 ? seen : seen + 1, seen + 1)) {
                successes++;
            }
        }
        long elapsed = System.nanoTime() - start;
        sink += successes;
        return elapsed;
    }

    private static long roundOfCasInt(MemorySegment scratch) throws Throwable {
        long start = System.nanoTime();
        long successes = 0;
        for (int i = 0; i < CALLS_PER_ROUND; i++) {
            int seen = Memory.getIntVolatile(scratch, 8);
            if ((boolean) casIntCall.invokeExact(scratch, 8L, (i & 1) == 0 ? seen : seen + 1, seen + 1)) {
                successes++;
            }
        }
        long elapsed = System.nanoTime() - start;
        sink += successes;
        return elapsed;
    }

    private static long roundOfGetAndAddInt(MemorySegment scratch) throws Throwable {
        long start = System.nanoTime();
        long total = 0;
        for (int i = 0; i < CALLS_PER_ROUND; i++) {
            total += (int) getAndAddIntCall.invokeExact(scratch, 12L, (i & 1) == 0 ? 1 : -1);
        }
        long elapsed = System.nanoTime() - start;
        sink += total;
        return elapsed;
    }
}
