package io.ringbus.core.os;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** {@link SharedFiles#ensureDirectory}: exact mode on creation, strict checks on what is already there. */
class EnsureDirectoryTest {
    private final Path parent = OsTestSupport.newDirectory("/dev/shm");
    private final Path dir = parent.resolve("bus");

    @AfterEach
    void cleanUp() {
        OsTestSupport.deleteTree(parent);
    }

    @Test
    void createsWithMode0700WhateverTheUmask() {
        for (int umask : new int[] {0, 0077}) {
            Path created = parent.resolve("bus-" + umask);
            OsTestSupport.withUmask(umask, () -> {
                SharedFiles.ensureDirectory(created);
                return null;
            });
            assertTrue(Files.isDirectory(created));
            assertEquals(0700, OsTestSupport.permissions(created), "umask " + Integer.toOctalString(umask));
        }
    }

    @Test
    void createsWithAGroupMode() {
        OsTestSupport.withUmask(0077, () -> {
            SharedFiles.ensureDirectory(dir, 0750);
            return null;
        });
        assertEquals(0750, OsTestSupport.permissions(dir));
    }

    @Test
    void acceptsItsOwnDirectoryAgain() {
        SharedFiles.ensureDirectory(dir);
        SharedFiles.ensureDirectory(dir);
        assertEquals(0700, OsTestSupport.permissions(dir));
    }

    @Test
    void refusesASymbolicLinkToADirectory() throws IOException {
        Path target = Files.createDirectory(parent.resolve("elsewhere"));
        OsTestSupport.chmod(target, 0700);
        Files.createSymbolicLink(dir, target);
        FileTypeException e = assertThrows(FileTypeException.class, () -> SharedFiles.ensureDirectory(dir));
        // Linux says ENOTDIR, not ELOOP, for O_DIRECTORY|O_NOFOLLOW on a link; the message says what it is.
        assertTrue(e.errno() == Errno.ENOTDIR || e.errno() == Errno.ELOOP, "errno " + e.errno());
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertEquals(0700, OsTestSupport.permissions(target));
    }

    @Test
    void refusesAWorldWritableDirectoryWithoutChangingIt() throws IOException {
        Files.createDirectory(dir);
        OsTestSupport.chmod(dir, 0777);
        FilePermissionException e = assertThrows(FilePermissionException.class, () -> SharedFiles.ensureDirectory(dir));
        assertTrue(e.getMessage().contains("0777") && e.getMessage().contains("chmod 700"), e.getMessage());
        assertEquals(0777, OsTestSupport.permissions(dir));
    }

    @Test
    void refusesAGroupReadableDirectoryWhenOwnerOnlyIsExpected() throws IOException {
        Files.createDirectory(dir);
        OsTestSupport.chmod(dir, 0750);
        assertThrows(FilePermissionException.class, () -> SharedFiles.ensureDirectory(dir));
        SharedFiles.ensureDirectory(dir, 0750);
    }

    @Test
    void refusesADirectoryOfAnotherOwner() throws IOException {
        Files.createDirectory(dir);
        OsTestSupport.chmod(dir, 0700);
        OsTestSupport.chown(dir, OsTestSupport.NOBODY, OsTestSupport.NOBODY);
        FilePermissionException e = assertThrows(FilePermissionException.class, () -> SharedFiles.ensureDirectory(dir));
        assertTrue(e.getMessage().contains("uid " + OsTestSupport.NOBODY), e.getMessage());
    }

    @Test
    void refusesAFile() throws IOException {
        Files.writeString(dir, "not a directory");
        FileTypeException e = assertThrows(FileTypeException.class, () -> SharedFiles.ensureDirectory(dir));
        assertEquals(Errno.ENOTDIR, e.errno());
        assertFalse(e.getMessage().contains("symbolic link"), e.getMessage());
        assertEquals("not a directory", Files.readString(dir));
    }

    @Test
    void missingParentIsTypedAndSaysWhatToMake() {
        FileMissingException e = assertThrows(FileMissingException.class,
            () -> SharedFiles.ensureDirectory(dir.resolve("child")));
        // The user's fix, not the API's internals (a daemon's --listen unix:/missing/dir/bus.sock lands here).
        assertTrue(e.getMessage().contains("mkdir -p " + dir), e.getMessage());
        assertFalse(e.getMessage().contains("SharedFiles"), e.getMessage());
    }

    @Test
    void refusesModesOpenToOthers() {
        assertThrows(IllegalArgumentException.class, () -> SharedFiles.ensureDirectory(dir, 0755));
        assertThrows(IllegalArgumentException.class, () -> SharedFiles.ensureDirectory(dir, 0600));
        assertFalse(Files.exists(dir));
    }
}
