package io.ringbus.examples.cli;

import java.util.function.IntConsumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM handled by a command itself instead of by the JVM's shutdown (which would exit
 * with status 130 or 143 before the command could finish): {@code bus daemon} stops its bridge and
 * exits 0, {@code bus run} passes the signal on to its child and exits with the child's status.
 *
 * <p>A signal the shell set to be ignored (SIGINT of a background job {@code &}) stays ignored.
 */
final class TerminationSignals {
    /** {@code SIGINT}: Ctrl-C. */
    static final int SIGINT = 2;
    /** {@code SIGTERM}: {@code kill}. */
    static final int SIGTERM = 15;

    private TerminationSignals() {
    }

    /**
     * Calls {@code handler} with the signal number on each SIGINT or SIGTERM, on a thread of the
     * JVM's, until the returned handle is closed, which puts the previous handlers back. If the JVM
     * does not let them be handled ({@code -Xrs}), its default shutdown applies.
     */
    static Installed handle(IntConsumer handler) {
        Signal interrupt = new Signal("INT");
        Signal terminate = new Signal("TERM");
        SignalHandler previousInterrupt = null;
        SignalHandler previousTerminate = null;
        try {
            previousInterrupt = Signal.handle(interrupt, signal -> handler.accept(signal.getNumber()));
            previousTerminate = Signal.handle(terminate, signal -> handler.accept(signal.getNumber()));
        } catch (IllegalArgumentException e) {
            // Not allowed here: the JVM's shutdown handles them.
        }
        SignalHandler restoreInterrupt = previousInterrupt;
        SignalHandler restoreTerminate = previousTerminate;
        return () -> {
            if (restoreInterrupt != null) {
                Signal.handle(interrupt, restoreInterrupt);
            }
            if (restoreTerminate != null) {
                Signal.handle(terminate, restoreTerminate);
            }
        };
    }

    /** Handlers in place; closing puts the previous ones back. */
    interface Installed extends AutoCloseable {
        @Override
        void close();
    }

    /** The name of a signal number, for messages. */
    static String name(int signal) {
        return switch (signal) {
            case SIGINT -> "SIGINT";
            case SIGTERM -> "SIGTERM";
            default -> "signal " + signal;
        };
    }
}
