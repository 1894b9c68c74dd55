package io.ringbus.transport.gateway;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The two "hosts" of a gateway test: bus A in {@code ROOT/a} and bus B in {@code ROOT/b}, ROOT a fresh directory
 * under /dev/shm. Closing closes both buses and deletes ROOT with everything in it (close the gateways first).
 *
 * @param root the fresh directory
 * @param a the bus in {@code root/a}
 * @param b the bus in {@code root/b}
 */
public record TwoBuses(Path root, Bus a, Bus b) implements AutoCloseable {
    /** Makes ROOT, named from {@code prefix}, and opens both buses. */
    public static TwoBuses create(String prefix) throws IOException {
        Path root = Files.createTempDirectory(Path.of("/dev/shm"), prefix);
        return new TwoBuses(root, Bus.open(new BusContext().directory(root.resolve("a"))),
            Bus.open(new BusContext().directory(root.resolve("b"))));
    }

    /** A UDP port free on this machine just now, for an Aeron channel. */
    public static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        a.close();
        b.close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }
}
