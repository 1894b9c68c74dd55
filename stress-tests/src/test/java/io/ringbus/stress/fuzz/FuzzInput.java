package io.ringbus.stress.fuzz;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One fuzz input: every choice a target makes comes from here, drawn from a generator seeded with
 * {@link #seed()}, so the same seed replays the same input exactly. Mutations are noted as they
 * are applied ({@link #note}), so a failure prints what was done as well as the seed.
 *
 * <p>Besides uniform values it draws "interesting" ones: the valid value and its neighbours, zero,
 * -1, the extremes of the type, powers of two and their neighbours, the valid value doubled or
 * halved. Boundary values find more than uniform random ones in length and offset checks.
 */
public final class FuzzInput {
    private static final int MAX_NOTES = 64;

    private final long seed;
    private final SplittableRandom random;
    private final List<String> notes = new ArrayList<>();

    /** An input replaying {@code seed}. */
    public FuzzInput(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    /** The seed that replays this input. */
    public long seed() {
        return seed;
    }

    /** Notes a step (a mutation, an operation) for the failure report; at most 64 are kept. */
    public void note(String step) {
        if (notes.size() < MAX_NOTES) {
            notes.add(step);
        } else if (notes.size() == MAX_NOTES) {
            notes.add("...");
        }
    }

    /** The steps noted so far. */
    public List<String> notes() {
        return notes;
    }

    /** Uniform in {@code [0, bound)}. */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** Uniform in {@code [from, to)}. */
    public int nextInt(int from, int to) {
        return random.nextInt(from, to);
    }

    /** Any int. */
    public int nextInt() {
        return random.nextInt();
    }

    /** Any long. */
    public long nextLong() {
        return random.nextLong();
    }

    /** Uniform in {@code [0, bound)}. */
    public long nextLong(long bound) {
        return random.nextLong(bound);
    }

    /** True with probability 1 / {@code n}. */
    public boolean oneIn(int n) {
        return random.nextInt(n) == 0;
    }

    /** One of {@code choices}, uniformly. */
    @SafeVarargs
    public final <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    /** An int near {@code valid} or at a boundary of the type, or any int. */
    public int interestingInt(int valid) {
        return switch (random.nextInt(16)) {
            case 0 -> valid;
            case 1 -> valid + 1;
            case 2 -> valid - 1;
            case 3 -> 0;
            case 4 -> -1;
            case 5 -> 1;
            case 6 -> Integer.MAX_VALUE;
            case 7 -> Integer.MIN_VALUE;
            case 8 -> Integer.MAX_VALUE - random.nextInt(16);
            case 9 -> 1 << random.nextInt(31);
            case 10 -> (1 << random.nextInt(31)) + random.nextInt(-2, 3);
            case 11 -> valid * 2;
            case 12 -> valid / 2;
            case 13 -> valid + random.nextInt(-64, 65);
            case 14 -> -valid;
            default -> random.nextInt();
        };
    }

    /** A long near {@code valid} or at a boundary (including the int range's), or any long. */
    public long interestingLong(long valid) {
        return switch (random.nextInt(18)) {
            case 0 -> valid;
            case 1 -> valid + 1;
            case 2 -> valid - 1;
            case 3 -> 0;
            case 4 -> -1;
            case 5 -> Long.MAX_VALUE;
            case 6 -> Long.MIN_VALUE;
            case 7 -> Long.MAX_VALUE - random.nextInt(1 << 16);
            case 8 -> 1L << random.nextInt(63);
            case 9 -> (1L << random.nextInt(63)) + random.nextInt(-16, 17);
            case 10 -> Integer.MAX_VALUE + (long) random.nextInt(-2, 3);
            case 11 -> (1L << 32) + random.nextInt(-2, 3);
            case 12 -> valid * 2;
            case 13 -> valid / 2;
            case 14 -> valid + random.nextInt(-4096, 4097);
            case 15 -> valid ^ (1L << random.nextInt(64));
            case 16 -> -valid;
            default -> random.nextLong();
        };
    }

    /** Overwrites {@code segment[offset, offset + 4)} with an interesting int, noted as {@code name}. */
    public void mutateInt(MemorySegment segment, long offset, String name) {
        int valid = segment.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
        int value = interestingInt(valid);
        segment.set(ValueLayout.JAVA_INT_UNALIGNED, offset, value);
        note(name + "@" + offset + ": " + valid + " -> " + value);
    }

    /** Overwrites {@code segment[offset, offset + 8)} with an interesting long, noted as {@code name}. */
    public void mutateLong(MemorySegment segment, long offset, String name) {
        long valid = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
        long value = interestingLong(valid);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, value);
        note(name + "@" + offset + ": " + valid + " -> " + value);
    }

    /**
     * A raw damage somewhere in {@code [from, to)} of {@code segment}: a bit flip, a run of random
     * bytes, a run of zero or 0xFF bytes, or a copy of another run of the same range.
     */
    public void scribble(MemorySegment segment, long from, long to, String name) {
        long span = to - from;
        if (span <= 0) {
            return;
        }
        long at = from + nextLong(span);
        int length = (int) Math.min(to - at, 1 + nextInt(oneIn(4) ? 256 : 16));
        switch (nextInt(5)) {
            case 0 -> {
                int bit = nextInt(8);
                byte old = segment.get(ValueLayout.JAVA_BYTE, at);
                segment.set(ValueLayout.JAVA_BYTE, at, (byte) (old ^ (1 << bit)));
                note(name + ": flip bit " + bit + " at " + at);
            }
            case 1 -> {
                for (int i = 0; i < length; i++) {
                    segment.set(ValueLayout.JAVA_BYTE, at + i, (byte) nextInt());
                }
                note(name + ": " + length + " random bytes at " + at);
            }
            case 2, 3 -> {
                byte fill = nextInt(2) == 0 ? 0 : (byte) 0xFF;
                segment.asSlice(at, length).fill(fill);
                note(name + ": " + length + " bytes of " + (fill & 0xFF) + " at " + at);
            }
            default -> {
                long source = from + nextLong(span);
                int copy = (int) Math.min(length, to - source);
                MemorySegment.copy(segment, source, segment, at, copy);
                note(name + ": copied " + copy + " bytes from " + source + " to " + at);
            }
        }
    }
}
