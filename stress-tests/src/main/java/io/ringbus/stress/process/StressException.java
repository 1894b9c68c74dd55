package io.ringbus.stress.process;

/** The harness itself could not go on (a child that would not start, a directory it cannot make). */
public final class StressException extends RuntimeException {
    /** A failure saying what went wrong. */
    public StressException(String message) {
        super(message);
    }

    /** A failure with its cause. */
    public StressException(String message, Throwable cause) {
        super(message, cause);
    }
}
