package io.ringbus.transport.bridge;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A bus in a fresh directory under /dev/shm ({@code ROOT/bus}) and, once a case starts one, the bridge serving
 * it. Closing stops both and removes the directory with everything in it.
 */
final class BusRoot implements AutoCloseable {
    final Path root;
    final Bus bus;
    private Bridge bridge;

    private BusRoot(Path root) {
        this.root = root;
        this.bus = Bus.open(new BusContext().directory(root.resolve("bus")));
    }

    /** Makes one; {@code prefix} names its directory, for whoever finds one a killed test run left. */
    static BusRoot create(String prefix) throws IOException {
        return new BusRoot(Files.createTempDirectory(Path.of("/dev/shm"), prefix));
    }

    /** Starts the bridge of this bus (one per case: a second replaces the first in {@link #close}'s care). */
    Bridge start(BridgeContext context) {
        bridge = Bridge.start(context, bus);
        return bridge;
    }

    /** Removes {@code directory} and everything in it. */
    static void delete(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Override
    public void close() throws IOException {
        if (bridge != null) {
            bridge.close();
        }
        bus.close();
        delete(root);
    }
}
