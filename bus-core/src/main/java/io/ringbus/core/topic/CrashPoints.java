package io.ringbus.core.topic;

import java.util.concurrent.locks.LockSupport;

/**
 * Test hooks for fault injection: with {@code -Dringbus.test.crashPoint=NAME}, a publisher that
 * reaches that point prints {@code CRASHPOINT NAME} on standard output and stops there forever, so
 * that a test can kill it with -9 at exactly that instant. Without the property the checks are
 * constant-false and compiled away.
 *
 * <p>Points: {@code afterClaim} (claimed, nothing written), {@code midPayload} (half the payload
 * written), {@code beforeCommit} (payload written, not committed). With
 * {@code -Dringbus.test.crashAfter=N}, the point is taken on the N-th message (default 1).
 */
final class CrashPoints {
    static final String POINT = System.getProperty("ringbus.test.crashPoint");
    static final boolean ENABLED = POINT != null;
    private static final long AFTER = Long.getLong("ringbus.test.crashAfter", 1);
    private static long passes;

    private CrashPoints() {
    }

    /** Stops here forever when {@code name} is the configured point and its turn has come. */
    static void reach(String name) {
        if (ENABLED && POINT.equals(name) && ++passes >= AFTER) {
            System.out.println("CRASHPOINT " + name);
            System.out.flush();
            while (true) {
                LockSupport.park();
            }
        }
    }
}
