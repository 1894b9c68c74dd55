package io.ringbus.core.os;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A full file system is a typed error at creation, and leaves nothing behind: a 1 MiB tmpfs (mounted
 * for the test; needs root or CAP_SYS_ADMIN, else the tests are skipped with the reason).
 */
class FileSystemFullTest {
    private static final long MIB = 1024 * 1024;

    private static Path mountPoint;
    private static boolean mounted;

    @BeforeAll
    static void mountSmallTmpfs() throws Exception {
        mountPoint = OsTestSupport.newDirectory("/tmp");
        String output = run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mountPoint.toString());
        mounted = output == null;
        if (!mounted) {
            System.err.println("FileSystemFullTest skipped: cannot mount a tmpfs: " + output);
        }
    }

    @AfterAll
    static void unmount() throws Exception {
        if (mounted) {
            // A lazy unmount succeeds even while a failed test still maps a file there.
            String output = run("umount", mountPoint.toString());
            if (output != null) {
                assertNull(run("umount", "-l", mountPoint.toString()), "umount -l after: " + output);
            }
        }
        OsTestSupport.deleteTree(mountPoint);
    }

    @Test
    void fileLargerThanTheFileSystemIsATypedErrorAndLeavesNothing() throws IOException {
        assumeMounted();
        Path file = mountPoint.resolve("big-topic");
        FileSystemFullException e = assertThrows(FileSystemFullException.class,
            () -> SharedFiles.createExclusive(file, 4 * MIB, SharedFiles.FILE_MODE));
        String message = e.getMessage();
        assertTrue(message.contains(file.toString()), message);
        assertTrue(message.contains(Long.toString(4 * MIB)), message);
        assertTrue(message.contains("(ENOSPC)"), message);
        assertTrue(message.contains("--shm-size"), message);
        assertEquals(Errno.ENOSPC, e.errno());
        assertFalse(Files.exists(file), "partial file removed");
        assertDirectoryEmpty();
    }

    @Test
    void aFileThatDoesNotFitNextToAnotherFailsAndTheFirstStaysUsable() throws IOException {
        assumeMounted();
        Path first = mountPoint.resolve("first");
        Path second = mountPoint.resolve("second");
        try (MappedFile mapped = SharedFiles.createExclusive(first, MIB / 2, SharedFiles.FILE_MODE)) {
            assertThrows(FileSystemFullException.class,
                () -> SharedFiles.createExclusive(second, MIB * 3 / 4, SharedFiles.FILE_MODE));
            assertFalse(Files.exists(second));
            // Every page of the first file is really there: touching them all raises no SIGBUS.
            for (long offset = 0; offset < mapped.size(); offset += 4096) {
                mapped.segment().set(ValueLayout.JAVA_LONG, offset, offset);
            }
        } finally {
            Files.deleteIfExists(first);
        }
        assertDirectoryEmpty();
    }

    private static void assumeMounted() {
        if (!mounted) {
            Assumptions.abort("cannot mount a 1 MiB tmpfs (needs root or CAP_SYS_ADMIN); see the test's stderr");
        }
    }

    private static void assertDirectoryEmpty() throws IOException {
        try (Stream<Path> entries = Files.list(mountPoint)) {
            assertEquals(0, entries.count());
        }
    }

    /** Runs a command; null on success, else its exit code and output. */
    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return String.join(" ", command) + ": timed out";
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return process.exitValue() == 0 ? null : String.join(" ", command) + ": exit " + process.exitValue()
            + ": " + output;
    }
}
