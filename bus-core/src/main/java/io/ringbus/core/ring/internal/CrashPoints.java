package io.ringbus.core.ring.internal;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Test hooks for fault injection, not an API: with {@code -Dringbus.test.crashPoint=NAME}, a writer
 * that reaches that point prints {@code CRASHPOINT NAME} on standard output and stops there forever,
 * so that a test can kill it with -9 at exactly that instant. Without the property the checks are
 * constant-false and compiled away (every call site tests {@link #ENABLED}, a static final, first).
 *
 * <p>Points: {@code afterClaim} (claimed, nothing written), {@code midPayload} (half the payload
 * written), {@code beforeCommit} (payload written, not committed), all in a topic publisher's
 * {@code offer}; and {@code wrapPadding} (in a ring writer's claim that covers the end of the data
 * area: the tail is taken and the padding record's length and type are written, its commit stamp
 * not yet). With {@code -Dringbus.test.crashAfter=N}, the point is taken on its N-th pass (default
 * 1).
 *
 * <p>With {@code -Dringbus.test.crashPoint=*}, every point is compiled in but none is armed; a test
 * harness arms one at run time with {@link #arm}, or takes it back with {@link #disarm} (a
 * long-running publisher process that is told when to die, so that the death lands at a time the
 * harness chooses).
 */
public final class CrashPoints {
    /** The configured point, {@code *} for "armed at run time", or null. */
    public static final String POINT = System.getProperty("ringbus.test.crashPoint");
    /** Whether any crash point is compiled in. */
    public static final boolean ENABLED = POINT != null;
    /** Every point's name. */
    public static final java.util.List<String> NAMES = java.util.List.of("afterClaim", "midPayload", "beforeCommit",
        "wrapPadding");
    private static final AtomicReference<String> ARMED = new AtomicReference<>(
        ENABLED && !POINT.equals("*") ? POINT : null);
    private static volatile long remaining = Long.getLong("ringbus.test.crashAfter", 1);

    private CrashPoints() {
    }

    /**
     * Arms {@code point} to be taken on its {@code passes}-th pass from now (1: the next one). Only in
     * a JVM started with {@code -Dringbus.test.crashPoint}.
     */
    public static void arm(String point, long passes) {
        if (!ENABLED) {
            throw new IllegalStateException("crash points are compiled out: start the JVM with"
                + " -Dringbus.test.crashPoint=* to arm them at run time");
        }
        if (!NAMES.contains(point)) {
            throw new IllegalArgumentException("no crash point '" + point + "'; points are " + NAMES);
        }
        ARMED.set(null);
        remaining = Math.max(1, passes);
        ARMED.set(point);
    }

    /**
     * Disarms. Returns the point that was armed and is now not taken, or null when none was armed or
     * it has just been taken (its {@code CRASHPOINT} line is then printed or on its way): a taken point
     * and a disarmed one never both happen.
     */
    public static String disarm() {
        return ARMED.getAndSet(null);
    }

    /** Stops here forever when {@code name} is the armed point and its turn has come. */
    public static void reach(String name) {
        String armed;
        if (ENABLED && name.equals(armed = ARMED.get()) && --remaining <= 0 && ARMED.compareAndSet(armed, null)) {
            System.out.println("CRASHPOINT " + name);
            System.out.flush();
            while (true) {
                LockSupport.park();
            }
        }
    }
}
