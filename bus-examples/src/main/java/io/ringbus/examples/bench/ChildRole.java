package io.ringbus.examples.bench;

/**
 * What one benchmark child JVM does: set up in its constructor (map files, join rings), then run
 * each command the parent sends. A role replies with {@link ChildMain#reply(String)}.
 */
interface ChildRole extends AutoCloseable {
    /**
     * Runs one command from the parent, already split on spaces; {@code command[0]} is its name
     * ({@code RUN} for every role).
     */
    void execute(String[] command) throws Exception;

    /** Releases cursors and mappings. */
    @Override
    void close();
}
