package io.ringbus.examples.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C and SIGTERM for a command that runs until stopped: a shutdown hook runs {@code onInterrupt}
 * (close a subscriber, set a flag), then, if asked to, gives the command up to two seconds to finish
 * cleanly (flush its output, release its slots) before the JVM exits. Close it when the command ends.
 */
final class Interruption implements AutoCloseable {
    private static final long GRACE_MILLIS = 2_000;

    private final Thread hook;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean requested;

    Interruption(Runnable onInterrupt, boolean awaitCommand) {
        hook = new Thread(() -> {
            requested = true;
            onInterrupt.run();
            try {
                if (awaitCommand) {
                    finished.await(GRACE_MILLIS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "bus-interruption");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C or SIGTERM came while the command was starting: stop at once.
            requested = true;
            onInterrupt.run();
        }
    }

    /** Whether Ctrl-C or SIGTERM arrived. */
    boolean requested() {
        return requested;
    }

    /** The command is done: the hook (if running) may let the JVM exit; otherwise it is removed. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // The JVM is already shutting down: the hook is running and now returns.
        }
    }
}
