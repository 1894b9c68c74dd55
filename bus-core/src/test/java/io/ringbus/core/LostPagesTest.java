package io.ringbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LostPages#typed} names the truncated topic file with its sizes and says what to do, whether
 * the topic is still open or its bus was closed before the catch (the file is remembered while it is
 * there as it was, until its path is opened again); with no truncated topic it says so. No fault is
 * needed for this: the conversion only looks at the files, so a stand-in {@code InternalError} will do.
 */
class LostPagesTest {
    private static final InternalError FAULT =
        new InternalError("a fault occurred in an unsafe memory access operation");

    private Path root;
    private Path directory;

    @BeforeEach
    void createDirectory() throws IOException {
        root = Files.createTempDirectory(Path.of("/dev/shm"), "ringbus-lostpages-");
        directory = root.resolve("bus");
    }

    @AfterEach
    void removeDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    private Bus openBus() {
        return Bus.open(new BusContext().directory(directory));
    }

    private static void truncate(Path file, long length) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(length);
        }
    }

    @Test
    void namesTheTruncatedTopicWhileOpenAndAfterItsBusClosed() throws IOException {
        Path file = directory.resolve("cut.topic");
        CorruptRingException whileOpen;
        try (Bus bus = openBus()) {
            bus.newPublisher("cut", new TopicConfig().capacity(1 << 16));
            long mapped = Files.size(file);
            truncate(file, 4096);
            whileOpen = LostPages.typed(FAULT);
            assertEquals("Topic file " + file + " is 4096 bytes now but was " + mapped + " when mapped: another"
                + " process truncated it, and an access to its lost pages faulted. " + LostPages.WHAT_TO_DO,
                whileOpen.getMessage());
            assertSame(FAULT, whileOpen.getCause());
        }
        assertEquals(whileOpen.getMessage(), LostPages.typed(FAULT).getMessage(), "remembered after the close");
        assertEquals(whileOpen.getMessage(), LostPages.typed(FAULT, file).getMessage(), "the same, file given");

        truncate(file, 8192);
        assertFalse(LostPages.typed(FAULT).getMessage().contains(file.toString()), "forgotten once the file changed");
        Files.delete(file);
        try (Bus bus = openBus()) {
            bus.newPublisher("cut", new TopicConfig().capacity(1 << 16));
            String afresh = LostPages.typed(FAULT).getMessage();
            assertTrue(afresh.startsWith("A memory access faulted (InternalError: a fault occurred"), afresh);
            assertFalse(afresh.contains(file.toString()), "not named: the topic there is whole: " + afresh);
        }
    }

    @Test
    void aKnownTopicThatIsWholeAgainIsStillNamed() {
        Path file = directory.resolve("whole.topic");
        try (Bus bus = openBus()) {
            bus.newPublisher("whole");
            String message = LostPages.typed(FAULT, file).getMessage();
            assertTrue(message.startsWith("Topic file " + file + " lost pages under its mapping: another process"
                + " truncated it (and may have extended it again since)"), message);
            assertTrue(message.endsWith(LostPages.WHAT_TO_DO), message);
        }
    }
}
