package io.ringbus.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.bridge.Bridge;
import io.ringbus.transport.bridge.BridgeContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
    @TempDir
    Path dir;

    @Test
    void unixRoundTrip() throws Exception {
        roundTrip("unix:" + dir.resolve("sock/bus.sock"));
    }

    @Test
    void fifoRoundTrip() throws Exception {
        roundTrip("fifo:" + dir.resolve("fifos"));
    }

    @Test
    void tcpRoundTrip() throws Exception {
        roundTrip("tcp://127.0.0.1:0");
    }

    private void roundTrip(String listen) throws Exception {
        Path busDir = Files.createDirectory(dir.resolve("bus"));
        Files.setPosixFilePermissions(busDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        try (Bridge bridge = Bridge.start(new BridgeContext().busContext(new BusContext().directory(busDir))
                .listen(listen));
             BusClient client = BusClients.open(bridge.listening().get(0).toString())) {
            Subscriber subscriber = client.newSubscriber("t", new TopicConfig(),
                new SubscriberConfig().start(StartPosition.EARLIEST));
            Publisher publisher = client.newPublisher("t", new TopicConfig());
            for (int i = 0; i < 1000; i++) {
                byte[] message = ("m" + i).getBytes();
                while (publisher.offer(message) < 0) {
                    Thread.onSpinWait();
                }
            }
            List<String> got = new ArrayList<>();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (got.size() < 1000 && System.nanoTime() < deadline) {
                subscriber.await((type, buffer, offset, length) -> {
                    byte[] bytes = new byte[length];
                    java.lang.foreign.MemorySegment.copy(buffer, java.lang.foreign.ValueLayout.JAVA_BYTE, offset,
                        bytes, 0, length);
                    got.add(new String(bytes));
                }, 100, 100_000_000L);
            }
            System.err.println("pending " + ((io.ringbus.transport.client.StreamPublisher) publisher).pendingBytes());
            if (got.size() != 1000) {
                System.err.println("first " + got.get(0) + " last " + got.get(got.size() - 1));
            }
            assertEquals(1000, got.size());
            assertEquals("m0", got.get(0));
            assertEquals("m999", got.get(999));
        }
    }
}
