package io.ringbus.transport.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Helpers for the stream tests: open descriptor counts, scratch directories, blocking reads and writes. */
final class FdTestSupport {
    private FdTestSupport() {
    }

    /** Descriptors open in this process ({@code /proc/self/fd}, less the one listing it). */
    static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count() - 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits a little for descriptors closed by other threads (the JVM's own come and go too). */
    static void assertFdsBackTo(long baseline, int slack) throws InterruptedException {
        long now = openFds();
        for (int i = 0; i < 50 && now > baseline + slack; i++) {
            Thread.sleep(20);
            now = openFds();
        }
        assertTrue(now <= baseline + slack, "open descriptors: " + now + ", before: " + baseline);
    }

    static Path newDirectory() {
        try {
            return Files.createTempDirectory(Path.of("/tmp"), "ringbus-fd-test-" + ProcessHandle.current().pid() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes all of {@code source}, waiting as needed. */
    static void writeFully(ByteStream stream, ByteBuffer source) {
        while (source.hasRemaining()) {
            if (stream.write(source) == 0) {
                assertTrue(stream.awaitWritable(10_000_000_000L), "timed out writing to " + stream.describe());
            }
        }
    }

    /** Reads until {@code destination} is full, waiting as needed; fails at end of stream. */
    static void readFully(ByteStream stream, ByteBuffer destination) {
        while (destination.hasRemaining()) {
            int read = stream.read(destination);
            if (read < 0) {
                fail("end of stream with " + destination.remaining() + " bytes still expected");
            }
            if (read == 0) {
                assertTrue(stream.awaitReadable(10_000_000_000L), "timed out reading from " + stream.describe());
            }
        }
    }

    /** Waits for end of stream, failing on data. */
    static void assertEndOfStream(ByteStream stream) {
        ByteBuffer one = ByteBuffer.allocate(1);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            int read = stream.read(one);
            if (read < 0) {
                return;
            }
            assertEquals(0, read, "data where end of stream was expected");
            stream.awaitReadable(100_000_000L);
        }
        fail("no end of stream on " + stream.describe());
    }
}
