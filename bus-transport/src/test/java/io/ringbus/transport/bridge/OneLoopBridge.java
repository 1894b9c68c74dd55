package io.ringbus.transport.bridge;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A bus in a fresh directory under /dev/shm ({@code ROOT/bus}) and a bridge serving it on
 * {@code unix:ROOT/sock/bus.sock} from one event loop, with no dedicated threads, so every connection is
 * a loop session. Closing stops both and removes the directory with everything in it.
 */
final class OneLoopBridge implements AutoCloseable {
    final Path root;
    final Bus bus;
    final Bridge bridge;

    private OneLoopBridge(Path root) {
        this.root = root;
        this.bus = Bus.open(new BusContext().directory(root.resolve("bus")));
        this.bridge = Bridge.start(new BridgeContext().eventLoops(1).dedicatedThreads(0)
            .listen("unix:" + root.resolve("sock/bus.sock")), bus);
    }

    /** Starts one; {@code prefix} names its directory, for whoever finds one a killed test run left. */
    static OneLoopBridge start(String prefix) throws IOException {
        return new OneLoopBridge(Files.createTempDirectory(Path.of("/dev/shm"), prefix));
    }

    @Override
    public void close() throws IOException {
        bridge.close();
        bus.close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
