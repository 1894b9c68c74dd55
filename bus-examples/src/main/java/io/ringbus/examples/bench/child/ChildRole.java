package io.ringbus.examples.bench.child;

/**
 * What one benchmark child JVM does: set up in its constructor (map files, join rings), then run
 * each command the parent sends. A role replies with {@link ChildRunner#reply(String)}.
 */
public interface ChildRole extends AutoCloseable {
    /** The roles of one benchmark's child JVMs, by name: what its entry point hands {@link ChildRunner#run}. */
    @FunctionalInterface
    interface Factory {
        /** Sets up role {@code role} with its arguments; an unknown role is an {@link IllegalArgumentException}. */
        ChildRole create(String role, String[] args, SpinGuard guard) throws Exception;
    }

    /**
     * Runs one command from the parent, already split on spaces; {@code command[0]} is its name
     * ({@code RUN} for every role).
     */
    void execute(String[] command) throws Exception;

    /** Releases cursors and mappings. */
    @Override
    void close();
}
