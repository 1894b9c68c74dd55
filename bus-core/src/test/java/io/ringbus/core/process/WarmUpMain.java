package io.ringbus.core.process;

import io.ringbus.core.ring.internal.AtomicsWarmUp;

/**
 * Runs the atomics warm-up in a fresh JVM and prints its outcome on a line of its own, {@code WARMED ...}
 * (after a line break: the JIT's {@code -XX:+PrintCompilation} lines share standard output).
 */
public final class WarmUpMain {
    private WarmUpMain() {
    }

    public static void main(String[] args) {
        AtomicsWarmUp.Outcome outcome = AtomicsWarmUp.ensureCompiled();
        System.out.println("\nWARMED compiled=" + outcome.compiled() + " rounds=" + outcome.rounds() + " micros="
            + outcome.elapsedNanos() / 1000 + " reason=" + outcome.reason());
    }
}
