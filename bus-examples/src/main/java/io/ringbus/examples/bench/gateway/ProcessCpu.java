package io.ringbus.examples.bench.gateway;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/**
 * The CPU time child processes have used, from Linux's {@code /proc/PID/task/TID/schedstat} (its first field:
 * nanoseconds run, per thread; summed over the live threads). Finer than {@code /proc/PID/stat}'s clock ticks
 * (10 ms), which are as long as a tenth of a throughput run's gateway CPU. A thread is told by its name as Linux
 * keeps it ({@code /proc/PID/task/TID/comm}: the Java thread name cut to 15 characters). Where there is no
 * {@code /proc}, -1.
 */
final class ProcessCpu {
    private ProcessCpu() {
    }

    /** The CPU nanoseconds the processes' live threads have run, summed; -1 when it cannot be read. */
    static long nanos(List<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            long one = nanos(pid);
            if (one < 0) {
                return -1;
            }
            total += one;
        }
        return total;
    }

    /** The CPU nanoseconds of the process's live threads whose (15-character) name {@code name} accepts. */
    static long threadNanos(long pid, Predicate<String> name) {
        return nanos(pid, name);
    }

    private static long nanos(long pid) {
        return nanos(pid, any -> true);
    }

    private static long nanos(long pid, Predicate<String> name) {
        long total = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    if (!name.test(Files.readString(task.resolve("comm")).trim())) {
                        continue;
                    }
                    String line = Files.readString(task.resolve("schedstat")).trim();
                    int space = line.indexOf(' ');
                    total += Long.parseLong(space < 0 ? line : line.substring(0, space));
                } catch (NoSuchFileException ended) {
                    // a thread that ended between the listing and the read
                }
            }
            return total;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
