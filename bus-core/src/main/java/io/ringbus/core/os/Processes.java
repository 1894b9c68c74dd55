package io.ringbus.core.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Process identity for liveness displays: pid, whether a pid exists, and a process's start time, which
 * together with the pid names one process even after the pid is reused. Liveness decisions themselves
 * rest on OS-released locks, never on these: a pid can be reused, and a pid from another PID namespace
 * (another container) means nothing here.
 */
public final class Processes {
    /** Index of {@code starttime} (field 22) among the fields after the command name (from field 3). */
    private static final int START_TIME_INDEX = 22 - 3;

    private Processes() {
    }

    /** This process's id ({@code getpid()}). */
    public static long currentPid() {
        return PosixBindings.getpid();
    }

    /**
     * Makes this process the leader of a new session without a controlling terminal ({@code setsid()}):
     * how a daemon leaves the terminal it was started from. A JVM cannot fork, so the daemon is a child
     * process (never a process group leader) that calls this first.
     *
     * @return the new session id (this process's pid)
     * @throws IllegalStateException when this process leads a process group already
     */
    public static long newSession() {
        int result = PosixBindings.setsid();
        if (result < 0) {
            throw new IllegalStateException("Cannot start a new session: " + Errno.describe(-result)
                + "; start this process as a child of another one");
        }
        return result;
    }

    /** Sets this process's file mode creation mask ({@code umask}, 0 to 0777); returns the previous one. */
    public static int umask(int mask) {
        if ((mask & ~0777) != 0) {
            throw new IllegalArgumentException("A umask holds permission bits only (0 to 0777), not " + mask);
        }
        return PosixBindings.umask(mask);
    }

    /**
     * Whether nobody reads this process's standard output any more: it is a pipe or socket whose
     * reader closed ({@code | head -1} has exited), or a terminal that hung up. A command that waits
     * for input to print checks this while idle, as {@code tail -f} does, instead of noticing only at
     * its next write. A file or a live pipe gives false.
     */
    public static boolean standardOutputGone() {
        int revents = PosixBindings.pollOne(1, PosixBindings.POLL_OUT, 0);
        return revents > 0
            && (revents & (PosixBindings.POLL_ERR | PosixBindings.POLL_HUP | PosixBindings.POLL_NVAL)) != 0;
    }

    /**
     * Whether a process with this pid exists in this PID namespace ({@code kill(pid, 0)}; a process of
     * another user counts). A stopped process exists.
     */
    public static boolean exists(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            return false; // kill() would address a process group or every process
        }
        int result = PosixBindings.kill((int) pid, 0);
        return result == 0 || result == -Errno.EPERM;
    }

    /**
     * Sends {@code signal} to process {@code pid}; returns whether it was delivered (false when the
     * process is gone or not ours). Never addresses a process group.
     */
    public static boolean signal(long pid, int signal) {
        if (pid <= 0 || pid > Integer.MAX_VALUE || signal <= 0) {
            return false;
        }
        return PosixBindings.kill((int) pid, signal) == 0;
    }

    /**
     * The start time of a process, in clock ticks since boot ({@code /proc/<pid>/stat}, field 22), or empty
     * if there is no such process.
     */
    public static OptionalLong startTime(long pid) {
        if (pid <= 0) {
            return OptionalLong.empty();
        }
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return OptionalLong.empty(); // no such process, or it ended while being read (ESRCH)
        }
        return OptionalLong.of(parseStartTime(stat));
    }

    /** Field 22 of a {@code /proc/<pid>/stat} line. The command name (field 2) may hold spaces and ')'. */
    static long parseStartTime(String stat) {
        int end = stat.lastIndexOf(')');
        if (end < 0) {
            throw new IllegalArgumentException("Not a /proc/<pid>/stat line: " + stat);
        }
        String[] fields = stat.substring(end + 1).strip().split(" ");
        if (fields.length <= START_TIME_INDEX) {
            throw new IllegalArgumentException("Too few fields in /proc/<pid>/stat line: " + stat);
        }
        return Long.parseLong(fields[START_TIME_INDEX]);
    }
}
