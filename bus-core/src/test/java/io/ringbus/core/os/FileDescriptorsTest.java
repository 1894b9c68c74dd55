package io.ringbus.core.os;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Pipes, FIFOs, non-blocking reads and writes, poll with a wake-up descriptor. */
class FileDescriptorsTest {
    private static final long MILLI = TimeUnit.MILLISECONDS.toNanos(1);

    private final Path dir = OsTestSupport.newDirectory("/tmp");
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void cleanUp() {
        arena.close();
        OsTestSupport.deleteTree(dir);
    }

    @Test
    void pollfdLayoutMatchesTheCStruct() {
        assertEquals(8, PosixBindings.POLLFD.byteSize());
        assertEquals(4, PosixBindings.POLLFD.byteOffset(PathElement.groupElement("events")));
        assertEquals(6, PosixBindings.POLLFD.byteOffset(PathElement.groupElement("revents")));
    }

    @Test
    void aPipeReadsWhatWasWrittenThenEagainThenEndOfFile() {
        int[] pipe = FileDescriptors.pipe();
        try {
            assertFalse(FileDescriptors.isNonBlocking(pipe[0]));
            assertEquals(0, FileDescriptors.setNonBlocking(pipe[0]));
            assertEquals(0, FileDescriptors.setNonBlocking(pipe[0]), "idempotent");
            assertTrue(FileDescriptors.isNonBlocking(pipe[0]));
            MemorySegment buffer = arena.allocate(16);
            assertEquals(-FileDescriptors.EAGAIN, FileDescriptors.read(pipe[0], buffer));
            MemorySegment hello = arena.allocateFrom("hello");
            assertEquals(6, FileDescriptors.write(pipe[1], hello));
            assertEquals(6, FileDescriptors.read(pipe[0], buffer));
            assertEquals("hello", buffer.getString(0));
            assertEquals(0, FileDescriptors.close(pipe[1]));
            pipe[1] = -1;
            assertEquals(0, FileDescriptors.read(pipe[0], buffer), "end of file");
        } finally {
            closeAll(pipe);
        }
    }

    @Test
    void writingWithoutAReaderReturnsEpipeInsteadOfKillingTheJvm() {
        int[] pipe = FileDescriptors.pipe();
        FileDescriptors.close(pipe[0]);
        try {
            assertEquals(-FileDescriptors.EPIPE, FileDescriptors.write(pipe[1], arena.allocate(1)));
            assertTrue(FileDescriptors.describeError(-FileDescriptors.EPIPE).endsWith("(EPIPE)"));
        } finally {
            FileDescriptors.close(pipe[1]);
        }
    }

    @Test
    void pollWaitsForDataTimesOutAndWakes() throws Exception {
        int[] pipe = FileDescriptors.pipe();
        int wake = FileDescriptors.newWakeFd();
        try {
            long start = System.nanoTime();
            assertEquals(0, FileDescriptors.poll(pipe[0], FileDescriptors.POLL_IN, wake, 50 * MILLI));
            assertTrue(System.nanoTime() - start >= 45 * MILLI);
            assertEquals(0, FileDescriptors.poll(pipe[0], FileDescriptors.POLL_IN, -1, 0));
            assertEquals(FileDescriptors.POLL_OUT, FileDescriptors.poll(pipe[1], FileDescriptors.POLL_OUT, wake, 0));

            FileDescriptors.write(pipe[1], arena.allocate(1));
            assertEquals(FileDescriptors.POLL_IN, FileDescriptors.poll(pipe[0], FileDescriptors.POLL_IN, wake, MILLI));

            FileDescriptors.read(pipe[0], arena.allocate(1));
            Thread waker = Thread.ofPlatform().start(() -> {
                sleep(50);
                FileDescriptors.wake(wake);
            });
            int result = FileDescriptors.poll(pipe[0], FileDescriptors.POLL_IN, wake, Long.MAX_VALUE);
            assertEquals(FileDescriptors.POLL_WOKEN, result);
            waker.join();
            assertEquals(FileDescriptors.POLL_WOKEN, FileDescriptors.poll(pipe[0], FileDescriptors.POLL_IN, wake, 0),
                "a signalled wake-up descriptor stays signalled");

            FileDescriptors.close(pipe[1]);
            pipe[1] = -1;
            int hangUp = FileDescriptors.poll(pipe[0], FileDescriptors.POLL_IN, -1, 0);
            assertEquals(FileDescriptors.POLL_HUP, hangUp & FileDescriptors.POLL_HUP);
        } finally {
            closeAll(pipe);
            FileDescriptors.close(wake);
        }
    }

    @Test
    void badDescriptorsGiveErrnoNotExceptions() {
        assertEquals(-FileDescriptors.EBADF, FileDescriptors.read(-1, arena.allocate(1)));
        assertEquals(-FileDescriptors.EBADF, FileDescriptors.write(-1, arena.allocate(1)));
        assertEquals(-FileDescriptors.EBADF, FileDescriptors.setNonBlocking(-1));
        assertEquals(-FileDescriptors.EBADF, FileDescriptors.close(-1));
        assertFalse(FileDescriptors.isNonBlocking(-1));
    }

    @Test
    void createFifoSetsTheExactModeWhateverTheUmask() throws IOException {
        Path fifo = dir.resolve("f.fifo");
        int fd = OsTestSupport.withUmask(0277, () -> FileDescriptors.createFifo(fifo, SharedFiles.FILE_MODE));
        try {
            assertEquals(0010000, OsTestSupport.attribute(fifo, "unix:mode") & 0170000, "a FIFO");
            assertEquals(0600, OsTestSupport.permissions(fifo));
            assertTrue(FileDescriptors.isNonBlocking(fd));
            // Opened read-write: a writer for itself, so a non-blocking open for writing finds a reader.
            int writer = FileDescriptors.openFifo(fifo, true);
            assertTrue(writer >= 0, "open: " + writer);
            FileDescriptors.close(writer);
        } finally {
            FileDescriptors.close(fd);
        }
        assertThrows(FileExistsException.class, () -> FileDescriptors.createFifo(fifo, 0600));
        assertThrows(FileMissingException.class, () -> FileDescriptors.createFifo(dir.resolve("no/f"), 0600));
        assertThrows(IllegalArgumentException.class, () -> FileDescriptors.createFifo(dir.resolve("g"), 0644));
        assertEquals(0, FileDescriptors.unlink(fifo));
        assertEquals(-FileDescriptors.ENOENT, FileDescriptors.unlink(fifo));
    }

    @Test
    void openFifoReturnsEnoentAndEnxioAndRefusesWhatIsNotAFifoOfOurs() throws IOException {
        Path fifo = dir.resolve("f.fifo");
        assertEquals(-FileDescriptors.ENOENT, FileDescriptors.openFifo(fifo, true));
        FileDescriptors.close(FileDescriptors.createFifo(fifo, 0600));
        assertEquals(-FileDescriptors.ENXIO, FileDescriptors.openFifo(fifo, true), "no reader");
        int reader = FileDescriptors.openFifo(fifo, false);
        assertTrue(reader >= 0, "a non-blocking open for reading needs no writer");
        int writer = FileDescriptors.openFifo(fifo, true);
        assertTrue(writer >= 0);
        FileDescriptors.close(writer);
        FileDescriptors.close(reader);

        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, fifo);
        assertThrows(FileTypeException.class, () -> FileDescriptors.openFifo(link, false));
        Path file = dir.resolve("file");
        Files.writeString(file, "x");
        FileTypeException notFifo = assertThrows(FileTypeException.class, () -> FileDescriptors.openFifo(file, false));
        assertTrue(notFifo.getMessage().contains("a regular file"), notFifo.getMessage());
        OsTestSupport.chown(fifo, OsTestSupport.NOBODY, OsTestSupport.NOBODY);
        assertThrows(FilePermissionException.class, () -> FileDescriptors.openFifo(fifo, false));
    }

    private static void closeAll(int[] fds) {
        for (int fd : fds) {
            if (fd >= 0) {
                FileDescriptors.close(fd);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
