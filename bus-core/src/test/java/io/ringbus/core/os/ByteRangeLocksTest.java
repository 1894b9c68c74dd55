package io.ringbus.core.os;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Slot locks are open-file-description locks: two opens of one file conflict even in one process,
 * closing another open of the file drops nothing (the pitfall of POSIX record locks and
 * FileChannel.lock), and closing the holder releases. Failures are typed errors naming the path.
 */
class ByteRangeLocksTest {
    private static final long SLOT_BYTE = (1L << 40) + 3;
    private Path directory;
    private Path file;

    @BeforeEach
    void create() throws Exception {
        directory = Files.createTempDirectory(Path.of("/dev/shm"), "ringbus-locks-");
        file = directory.resolve("t.topic");
        SharedFiles.createExclusive(file, 4096, 0600).close();
    }

    @AfterEach
    void remove() throws Exception {
        Files.deleteIfExists(file);
        Files.deleteIfExists(directory);
    }

    @Test
    void twoOpensConflictAndClosingAThirdDropsNothing() {
        try (MappedFile holder = SharedFiles.openExisting(file, 0600, 4096);
            MappedFile other = SharedFiles.openExisting(file, 0600, 4096)) {
            assertFalse(other.isLockHeld(SLOT_BYTE));
            assertTrue(holder.tryLockByte(SLOT_BYTE));
            assertFalse(holder.tryLockByte(SLOT_BYTE), "already held here");
            assertFalse(other.tryLockByte(SLOT_BYTE), "another open of the file must conflict");
            assertTrue(other.isLockHeld(SLOT_BYTE));
            SharedFiles.openExisting(file, 0600, 4096).close();
            assertTrue(other.isLockHeld(SLOT_BYTE), "closing a third open of the file dropped the lock");
            holder.close();
            assertFalse(other.isLockHeld(SLOT_BYTE), "closing the holder must release its lock");
            assertTrue(other.tryLockByte(SLOT_BYTE));
            other.unlockByte(SLOT_BYTE);
            assertFalse(other.isLockHeld(SLOT_BYTE));
        }
    }

    @Test
    void aFailingLockCallIsATypedErrorNamingThePath() {
        SharedFileException e = assertThrows(SharedFileException.class,
            () -> ByteRangeLocks.tryLock(-1, file, SLOT_BYTE));
        assertEquals(Errno.EBADF, e.errno());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
}
