package io.ringbus.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.examples.cli.BusCommand;
import io.ringbus.transport.gateway.GatewayProcess;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.DatagramSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@code bus gateway} itself adds to the library's gateway (whose semantics bus-transport's GatewayTest
 * proves): on SIGTERM it stops every route, prints its final status lines, deletes its embedded driver's
 * directory and exits with 143; a gateway given its own {@code --max-park} carries the messages too.
 */
class GatewayCommandTest {
    private final List<GatewayProcess> gateways = new ArrayList<>();
    private Path root;

    @AfterEach
    void tearDown() throws Exception {
        for (GatewayProcess gateway : gateways) {
            gateway.close();
        }
        if (root != null) {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    @Test
    @Timeout(120)
    void sigtermStopsAGatewayCleanlyWithItsFinalLinesAndNoDriverDirectoryLeft() throws Exception {
        root = Files.createTempDirectory(Path.of("/dev/shm"), "rb-aeron-cli-");
        String channel = "aeron:udp?endpoint=localhost:" + freeUdpPort();
        GatewayProcess exporter = gateway("--dir", root.resolve("a").toString(), "--export", "t=" + channel,
            "--max-park", "2ms", "--stats-interval", "0");
        GatewayProcess importer = gateway("--dir", root.resolve("b").toString(), "--import", "t=" + channel);
        try (Bus busA = Bus.open(new BusContext().directory(root.resolve("a")));
            Bus busB = Bus.open(new BusContext().directory(root.resolve("b")))) {
            try (Publisher publisher = busA.newPublisher("t")) {
                for (long n = 0; n < 10; n++) {
                    while (publisher.offer(ByteBuffer.allocate(8).putLong(0, n).array()) < 0) {
                        Thread.onSpinWait();
                    }
                }
            }
            importer.await(line -> line.contains("connected to"), 30);
            try (Subscriber subscriber = busB.newSubscriber("t", new TopicConfig(),
                new SubscriberConfig().start(StartPosition.EARLIEST))) {
                long[] next = {0};
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (next[0] < 10) {
                    assertTrue(System.nanoTime() < deadline, "only " + next[0] + " of 10 arrived");
                    subscriber.await((type, buffer, offset, length) -> {
                        long n = buffer.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN),
                            offset);
                        assertEquals(next[0]++, n, "the messages in order, each once");
                    }, 16, 100_000_000L);
                }
            }
        }
        for (GatewayProcess gateway : List.of(importer, exporter)) {
            assertEquals(143, gateway.stop(), "the status on SIGTERM, after cleaning up: " + gateway.lines());
            assertTrue(gateway.lines().stream().anyMatch(line -> line.startsWith("stat ")),
                "the final status lines are printed: " + gateway.lines());
        }
        assertFalse(Files.exists(root.resolve("a/.aeron-gateway")), "the exporter's driver directory is deleted");
        assertFalse(Files.exists(root.resolve("b/.aeron-gateway")), "the importer's driver directory is deleted");
    }

    private GatewayProcess gateway(String... args) throws Exception {
        GatewayProcess gateway = GatewayProcess.start(GatewayProcess.cli(BusCommand.class.getName()), List.of(),
            List.of(), args);
        gateways.add(gateway);
        return gateway;
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
