package io.ringbus.core.os;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** {@link SharedFiles#openExisting}: every check made on the descriptor, each with its typed error. */
class OpenExistingTest {
    private static final long SIZE = 8192;

    private final Path dir = OsTestSupport.newDirectory("/dev/shm");
    private final Path file = dir.resolve("topic");

    @AfterEach
    void cleanUp() {
        OsTestSupport.deleteTree(dir);
    }

    @Test
    void opensAndMapsAWholeGoodFile() {
        SharedFiles.createExclusive(file, SIZE * 2, SharedFiles.FILE_MODE).close();
        try (MappedFile mapped = SharedFiles.openExisting(file, SharedFiles.FILE_MODE, SIZE)) {
            assertEquals(SIZE * 2, mapped.size(), "maps the file's size, not the minimum");
            assertEquals(file, mapped.path());
        }
    }

    @Test
    void refusesASymbolicLink() throws IOException {
        SharedFiles.createExclusive(dir.resolve("real"), SIZE, SharedFiles.FILE_MODE).close();
        Files.createSymbolicLink(file, dir.resolve("real"));
        FileTypeException e = assertThrows(FileTypeException.class, this::open);
        assertEquals(Errno.ELOOP, e.errno());
        assertTrue(e.getMessage().contains("(ELOOP)") && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void refusesAFileOfAnotherOwner() {
        SharedFiles.createExclusive(file, SIZE, SharedFiles.FILE_MODE).close();
        OsTestSupport.chown(file, OsTestSupport.NOBODY, OsTestSupport.NOBODY);
        assertEquals(0600, OsTestSupport.permissions(file), "only the owner differs");
        FilePermissionException e = assertThrows(FilePermissionException.class, this::open);
        assertTrue(e.getMessage().contains("uid " + OsTestSupport.NOBODY), e.getMessage());
    }

    @Test
    void refusesAnotherMode() {
        SharedFiles.createExclusive(file, SIZE, SharedFiles.FILE_MODE).close();
        OsTestSupport.chmod(file, 0644);
        FilePermissionException e = assertThrows(FilePermissionException.class, this::open);
        assertTrue(e.getMessage().contains("0644") && e.getMessage().contains("0600"), e.getMessage());
        // A group file is refused where an owner-only one is expected, and the reverse.
        OsTestSupport.chmod(file, 0660);
        assertThrows(FilePermissionException.class, this::open);
        OsTestSupport.chmod(file, 0600);
        assertThrows(FilePermissionException.class,
            () -> SharedFiles.openExisting(file, SharedFiles.GROUP_FILE_MODE, SIZE));
    }

    @Test
    void refusesADirectory() throws IOException {
        Files.createDirectory(file);
        assertThrows(FileTypeException.class, this::open);
    }

    @Test
    void refusesAFifoWithoutBlocking() throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", "-m", "600", file.toString()).start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
        FileTypeException e = assertThrows(FileTypeException.class, this::open);
        assertTrue(e.getMessage().contains("FIFO"), e.getMessage());
    }

    @Test
    void refusesATruncatedFile() throws IOException {
        SharedFiles.createExclusive(file, SIZE, SharedFiles.FILE_MODE).close();
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(SIZE - 1);
        }
        FileTruncatedException e = assertThrows(FileTruncatedException.class, this::open);
        assertTrue(e.getMessage().contains(Long.toString(SIZE - 1)), e.getMessage());
        Files.write(file, new byte[0]);
        assertThrows(FileTruncatedException.class, this::open);
    }

    @Test
    void missingFileIsTyped() {
        FileMissingException e = assertThrows(FileMissingException.class, this::open);
        assertEquals(Errno.ENOENT, e.errno());
    }

    private MappedFile open() {
        return SharedFiles.openExisting(file, SharedFiles.FILE_MODE, SIZE);
    }
}
