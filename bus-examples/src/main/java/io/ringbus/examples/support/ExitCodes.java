package io.ringbus.examples.support;

/**
 * The exit codes every {@code bus} command shares, as lines of picocli's {@code exitCodeList}
 * ({@code "CODE:meaning"}), so that each command's {@code --help} lists them the same way beside its own.
 */
public final class ExitCodes {
    /** The heading of the list in {@code --help}. */
    public static final String HEADING = "%nExit codes:%n";
    /** Success; a command says what success means with {@code OK + ":..."}. */
    public static final String OK = "0";
    /** A failure, explained by one line on standard error. */
    public static final String FAILURE = "1:a failure the one-line message on standard error explains";
    /** A usage error: an unknown option, a missing or bad argument. */
    public static final String USAGE = "2:bad usage (the message names the option; see --help)";
    /** Ended by a signal through the JVM's shutdown: 128 + the signal number. */
    public static final String SIGNALS = "130:Ctrl-C (SIGINT); 143 for SIGTERM";

    private ExitCodes() {
    }
}
