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
