package io.ringbus.core.topic;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A bus in a fresh directory under /dev/shm with 64 KiB topics, removed with everything in it on close. */
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
