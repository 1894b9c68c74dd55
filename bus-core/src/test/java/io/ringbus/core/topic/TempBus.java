package io.ringbus.core.topic;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.os.SharedFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A bus in a fresh directory under /dev/shm with 64 KiB topics (unless a test's topic config says otherwise),
 * removed with everything in it on close; and what the crash tests of this package share.
 */
final class TempBus implements AutoCloseable {
    private final Path root;
    private final Bus bus;

    private TempBus(Path root) {
        this.root = root;
        this.bus = Bus.open(new BusContext().directory(root.resolve("bus")).defaultCapacity(1 << 16));
    }

    /** A new bus; {@code prefix} names its directory, for whoever finds one left by a killed test run. */
    static TempBus open(String prefix) throws IOException {
        return new TempBus(Files.createTempDirectory(Path.of("/dev/shm"), prefix));
    }

    Bus bus() {
        return bus;
    }

    /** The bus's directory (for a second {@link Bus} on it, or a topic file's path). */
    Path directory() {
        return root.resolve("bus");
    }

    /**
     * A publisher of {@code topic} (which exists) in a mapping of its own, as another process's would
     * be: {@link OwnMapping#die()} closes that mapping, and with it the slot's lock, as a crash would;
     * its slot stays ACTIVE.
     */
    OwnMapping publisherOfItsOwn(String topic) {
        TopicFile file = TopicFile.tryOpen(TopicFile.pathOf(directory(), topic), SharedFiles.FILE_MODE);
        return new OwnMapping(file, new ShmPublisher(file, () -> { }));
    }

    /** A publisher and the mapping it alone uses. */
    record OwnMapping(TopicFile file, ShmPublisher publisher) {
        /** Closes the mapping without closing the publisher: its process died. */
        void die() {
            file.close();
        }
    }

    /** A message of {@code length} bytes, each {@code seed}: tells messages apart by content. */
    static byte[] filled(int seed, int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) seed);
        return bytes;
    }

    @Override
    public void close() {
        bus.close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
