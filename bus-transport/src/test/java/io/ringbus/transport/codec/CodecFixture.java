package io.ringbus.transport.codec;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A bus in a private directory under /dev/shm, deleted with everything in it on close. */
final class CodecFixture implements AutoCloseable {
    final Path root;
    final Bus bus;

    CodecFixture() throws IOException {
        root = Files.createTempDirectory(Path.of("/dev/shm"), "rb-rec-codec-");
        bus = Bus.open(new BusContext().directory(root.resolve("bus")).defaultCapacity(1 << 16));
    }

    @Override
    public void close() throws IOException {
        bus.close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }
}
