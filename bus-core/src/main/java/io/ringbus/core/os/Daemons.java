package io.ringbus.core.os;

import java.nio.file.Path;

/**
 * What a daemon does to detach itself from the terminal and directory it was started from: a new
 * session, a known umask, a known working directory. A JVM cannot fork, so a launcher starts the daemon
 * as a child process (which is not a process group leader) and the child calls {@link #newSession()}.
 */
public final class Daemons {
    private Daemons() {
    }

    /**
     * Starts a new session with this process as its leader ({@code setsid}): it loses its controlling
     * terminal, so closing the terminal or Ctrl-C there no longer reaches it.
     *
     * @return the new session id (this process's pid)
     * @throws IllegalStateException this process leads a process group already (a shell started it
     *     directly): start it through a parent process instead
     */
    public static long newSession() {
        int result = PosixBindings.setsid();
        if (result < 0) {
            throw new IllegalStateException("Cannot start a new session: " + Errno.describe(-result)
                + ". This process leads a process group (a shell started it directly); start the daemon as a child"
                + " of another process, which then exits.");
        }
        return result;
    }

    /**
     * Sets the file mode creation mask ({@code umask}) of the whole process.
     *
     * @return the previous mask
     */
    public static int setUmask(int mask) {
        if ((mask & ~0777) != 0) {
            throw new IllegalArgumentException("A umask holds permission bits only (0 to 0777), not "
                + Failures.octal(mask));
        }
        return PosixBindings.umask(mask);
    }

    /**
     * Changes the process's working directory ({@code chdir}). Java then resolves relative paths two ways:
     * {@code Path.toAbsolutePath()} and {@code java.io.File} still use the {@code user.dir} the JVM started
     * with, while NIO file operations hand the relative path to the system: a daemon should use absolute
     * paths only.
     *
     * @throws SharedFileException the directory is missing, not a directory, or not searchable
     */
    public static void changeDirectory(Path dir) {
        Path absolute = dir.toAbsolutePath();
        int result = PosixBindings.chdir(absolute.toString());
        if (result < 0) {
            throw Failures.of("change the working directory to", absolute, -result);
        }
    }
}
