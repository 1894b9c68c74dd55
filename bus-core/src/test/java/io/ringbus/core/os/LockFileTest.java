package io.ringbus.core.os;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** {@link LockFile}: one holder at a time, its pid readable, removed on close, no links followed. */
class LockFileTest {
    private final Path dir = OsTestSupport.newDirectory("/tmp");
    private final Path path = dir.resolve("bridge.lock");

    @AfterEach
    void cleanUp() {
        OsTestSupport.deleteTree(dir);
    }

    @Test
    void oneHolderAtATimeEvenInOneProcess() throws IOException {
        assertEquals(-1, LockFile.holderPid(path));
        try (LockFile lock = LockFile.tryLock(path)) {
            assertNotNull(lock);
            assertEquals(0600, OsTestSupport.permissions(path));
            assertEquals(ProcessHandle.current().pid(), LockFile.holderPid(path));
            assertNull(LockFile.tryLock(path), "a second description conflicts");
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(path));
        }
        assertFalse(Files.exists(path), "close removes the file");
        try (LockFile again = LockFile.tryLock(path)) {
            assertNotNull(again);
        }
    }

    @Test
    void aLeftOverFileWithoutAHolderIsTakenAndRewritten() throws IOException {
        Files.writeString(path, "123456789012\nmore junk\n");
        OsTestSupport.chmod(path, 0644);
        try (LockFile lock = LockFile.tryLock(path)) {
            assertNotNull(lock);
            assertEquals(ProcessHandle.current().pid(), LockFile.holderPid(path));
            assertEquals(0600, OsTestSupport.permissions(path));
        }
    }

    @Test
    void refusesLinksOtherTypesAndOtherOwners() throws IOException {
        Path target = dir.resolve("target");
        Files.writeString(target, "");
        Files.createSymbolicLink(path, target);
        assertThrows(FileTypeException.class, () -> LockFile.tryLock(path));
        Files.delete(path);
        Files.createDirectory(path);
        assertThrows(SharedFileException.class, () -> LockFile.tryLock(path));
        Files.delete(path);
        Files.writeString(path, "");
        OsTestSupport.chown(path, OsTestSupport.NOBODY, OsTestSupport.NOBODY);
        assertThrows(FilePermissionException.class, () -> LockFile.tryLock(path));
        assertThrows(FileMissingException.class, () -> LockFile.tryLock(dir.resolve("missing/bridge.lock")));
    }
}
