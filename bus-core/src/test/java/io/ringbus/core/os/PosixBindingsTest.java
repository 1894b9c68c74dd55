package io.ringbus.core.os;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemoryLayout.PathElement;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The raw bindings: errno capture, the statx layout, and the calls that do not use errno. */
class PosixBindingsTest {
    private final Path dir = OsTestSupport.newDirectory("/tmp");

    @AfterEach
    void cleanUp() {
        OsTestSupport.deleteTree(dir);
    }

    @Test
    void failedCallsReturnTheirOwnErrno() {
        assertEquals(-Errno.ENOENT, PosixBindings.open(dir.resolve("missing").toString(), PosixBindings.O_RDWR, 0));
        assertEquals(-Errno.EEXIST, PosixBindings.mkdir(dir.toString(), 0700));
        assertEquals(-Errno.EBADF, PosixBindings.close(-1));
        assertEquals(-Errno.EBADF, PosixBindings.fchmod(-1, 0600));
        assertEquals(Errno.EBADF, PosixBindings.fstat(-1).errno());
        assertEquals(-Errno.ESRCH, PosixBindings.kill(Integer.MAX_VALUE, 0));
    }

    @Test
    void posixFallocateReturnsItsErrorInsteadOfSettingErrno() {
        assertEquals(Errno.EBADF, PosixBindings.posixFallocate(-1, 0, 4096));
    }

    @Test
    void statxLayoutMatchesTheKernelStruct() {
        assertEquals(256, PosixBindings.STATX.byteSize());
        assertEquals(20, offset("stx_uid"));
        assertEquals(28, offset("stx_mode"));
        assertEquals(32, offset("stx_ino"));
        assertEquals(40, offset("stx_size"));
        assertEquals(48, offset("stx_blocks"));
        assertEquals(128, offset("stx_rdev_major"));
        assertEquals(136, offset("stx_dev_major"));
        assertEquals(144, offset("stx_mnt_id"));
        assertEquals(16, PosixBindings.TIMESPEC.byteSize());
    }

    @Test
    void fstatAgreesWithJava() throws IOException {
        Path file = dir.resolve("f");
        Files.write(file, new byte[12345]);
        OsTestSupport.chmod(file, 0640);
        OsTestSupport.chown(file, OsTestSupport.NOBODY, OsTestSupport.NOBODY);
        int fd = PosixBindings.open(file.toString(), PosixBindings.O_RDONLY | PosixBindings.O_CLOEXEC, 0);
        assertTrue(fd >= 0, "open: " + fd);
        try {
            FileStat stat = PosixBindings.fstat(fd);
            assertEquals(0, stat.errno());
            assertTrue(stat.isRegularFile());
            assertEquals(0640, stat.permissions());
            assertEquals(OsTestSupport.NOBODY, stat.uid());
            assertEquals(OsTestSupport.NOBODY, stat.gid());
            assertEquals(12345, stat.size());
            assertEquals((long) Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS), stat.inode());
        } finally {
            PosixBindings.close(fd);
        }
    }

    @Test
    void errnoTextNamesTheError() {
        // The text is the C library's, translated if the locale says so; the name is always there.
        String text = Errno.describe(Errno.ENOSPC);
        assertTrue(text.endsWith(" (ENOSPC)"), text);
        assertFalse(text.startsWith("Unknown error"), text);
        assertTrue(Errno.describe(Errno.ELOOP).endsWith(" (ELOOP)"));
    }

    @Test
    void identityCallsMatchJava() {
        assertEquals(ProcessHandle.current().pid(), PosixBindings.getpid());
        assertEquals(OsTestSupport.attribute(Path.of("/proc/self"), "unix:uid"), PosixBindings.geteuid());
    }

    private static long offset(String field) {
        return PosixBindings.STATX.byteOffset(PathElement.groupElement(field));
    }
}
