package io.ringbus.core.os;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** {@link SharedFiles#createExclusive}: exact modes, exclusivity, no link followed, space reserved. */
class CreateExclusiveTest {
    private static final long SIZE = 64 * 1024;

    private final Path dir = OsTestSupport.newDirectory("/dev/shm");

    @AfterEach
    void cleanUp() {
        OsTestSupport.deleteTree(dir);
    }

    @Test
    void modeIs0600WhateverTheUmask() {
        for (int umask : new int[] {0, 0022, 0077, 0777}) {
            Path file = dir.resolve("topic-" + umask);
            try (MappedFile mapped = OsTestSupport.withUmask(umask,
                () -> SharedFiles.createExclusive(file, SIZE, SharedFiles.FILE_MODE))) {
                assertEquals(0600, OsTestSupport.permissions(file), "umask " + Integer.toOctalString(umask));
                assertEquals(SIZE, mapped.size());
            }
        }
    }

    @Test
    void groupModeIs0660WhateverTheUmaskAndTakesTheGroup() {
        Path file = dir.resolve("topic");
        try (MappedFile mapped = OsTestSupport.withUmask(0077,
            () -> SharedFiles.createExclusive(file, SIZE, SharedFiles.GROUP_FILE_MODE, OsTestSupport.NOBODY))) {
            assertEquals(0660, OsTestSupport.permissions(mapped.path()));
            assertEquals(OsTestSupport.NOBODY, OsTestSupport.attribute(file, "unix:gid"));
        }
    }

    @Test
    void refusesModesOpenToOthers() {
        Path file = dir.resolve("topic");
        assertThrows(IllegalArgumentException.class, () -> SharedFiles.createExclusive(file, SIZE, 0666));
        assertThrows(IllegalArgumentException.class, () -> SharedFiles.createExclusive(file, SIZE, 0400));
        assertThrows(IllegalArgumentException.class, () -> SharedFiles.createExclusive(file, 0, 0600));
        assertFalse(Files.exists(file));
    }

    @Test
    void reservesTheWholeFileAndZeroesIt() {
        Path file = dir.resolve("topic");
        try (MappedFile mapped = SharedFiles.createExclusive(file, SIZE, SharedFiles.FILE_MODE)) {
            int fd = mapped.fd();
            FileStat stat = PosixBindings.fstat(fd);
            assertEquals(SIZE, stat.size());
            assertTrue(stat.blocks() * 512 >= SIZE, "not sparse: " + stat.blocks() + " blocks");
            for (long offset = 0; offset < SIZE; offset += 8) {
                assertEquals(0L, mapped.segment().get(ValueLayout.JAVA_LONG, offset));
            }
        }
    }

    @Test
    void refusesAnExistingFile() throws IOException {
        Path file = dir.resolve("topic");
        Files.writeString(file, "someone else's");
        FileExistsException e = assertThrows(FileExistsException.class,
            () -> SharedFiles.createExclusive(file, SIZE, SharedFiles.FILE_MODE));
        assertEquals(Errno.EEXIST, e.errno());
        assertEquals(file, e.path());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("(EEXIST)"), e.getMessage());
        assertEquals("someone else's", Files.readString(file), "the existing file was left alone");
    }

    @Test
    void refusesAPlantedSymbolicLinkAndNeverFollowsIt() throws IOException {
        Path target = dir.resolve("victim");
        Files.writeString(target, "precious");
        OsTestSupport.chmod(target, 0644);
        Path file = dir.resolve("topic");
        Files.createSymbolicLink(file, target);

        FileExistsException e = assertThrows(FileExistsException.class,
            () -> SharedFiles.createExclusive(file, SIZE, SharedFiles.FILE_MODE));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertEquals("precious", Files.readString(target));
        assertEquals(0644, OsTestSupport.permissions(target));
        assertTrue(Files.isSymbolicLink(file), "the link itself is not removed either");
    }

    @Test
    void refusesADanglingSymbolicLinkWithoutCreatingItsTarget() throws IOException {
        Path target = dir.resolve("would-be-created");
        Path file = dir.resolve("topic");
        Files.createSymbolicLink(file, target);
        assertThrows(FileExistsException.class, () -> SharedFiles.createExclusive(file, SIZE, SharedFiles.FILE_MODE));
        assertFalse(Files.exists(target));
    }

    @Test
    void missingDirectoryIsTyped() {
        Path file = dir.resolve("no-such-dir").resolve("topic");
        FileMissingException e = assertThrows(FileMissingException.class,
            () -> SharedFiles.createExclusive(file, SIZE, SharedFiles.FILE_MODE));
        assertTrue(e.getMessage().contains("(ENOENT)"), e.getMessage());
    }

    @Test
    void writesAreSharedWithAnOpenerOfTheSameFile() {
        Path file = dir.resolve("topic");
        try (MappedFile created = SharedFiles.createExclusive(file, SIZE, SharedFiles.FILE_MODE);
             MappedFile opened = SharedFiles.openExisting(file, SharedFiles.FILE_MODE, SIZE)) {
            created.segment().set(ValueLayout.JAVA_LONG, SIZE - 8, 0x1234_5678_9ABC_DEF0L);
            assertEquals(0x1234_5678_9ABC_DEF0L, opened.segment().get(ValueLayout.JAVA_LONG, SIZE - 8));
            assertEquals(SIZE, opened.size());
        }
    }

    @Test
    void closeUnmapsAndIsIdempotent() throws IOException {
        Path file = dir.resolve("topic");
        MappedFile mapped = SharedFiles.createExclusive(file, SIZE, SharedFiles.FILE_MODE);
        Path descriptor = Path.of("/proc/self/fd/" + mapped.fd());
        assertEquals(file, Files.readSymbolicLink(descriptor));
        mapped.close();
        mapped.close();
        assertFalse(mapped.segment().scope().isAlive());
        assertThrows(IllegalStateException.class, () -> mapped.segment().get(ValueLayout.JAVA_INT, 0));
        // Closed: the number is free, or reused for some other file by now.
        assertFalse(Files.exists(descriptor, LinkOption.NOFOLLOW_LINKS)
            && file.equals(Files.readSymbolicLink(descriptor)));
    }
}
