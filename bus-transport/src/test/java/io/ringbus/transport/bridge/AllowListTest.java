package io.ringbus.transport.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.BusClients;
import io.ringbus.transport.TransportContext;
import io.ringbus.transport.TransportException;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Per-topic allow lists (issue 14, item 5): a bridge with {@code allowPublish}/{@code allowSubscribe} globs
 * serves the topics they match and refuses the others at the hello with a REJECT naming the topic and the
 * option, on a dedicated session thread and on an event loop alike.
 */
class AllowListTest {
    private static final long PATIENCE_NANOS = 10_000_000_000L;

    private BusRoot busRoot;
    private Path root;
    private Bus bus;
    private Bridge bridge;
    private final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void makeRoot() throws IOException {
        busRoot = BusRoot.create("rb-allow-");
        root = busRoot.root;
        bus = busRoot.bus;
    }

    @AfterEach
    void removeRoot() throws IOException {
        busRoot.close();
    }

    private BusClient start(int dedicatedThreads) {
        String socket = "unix:" + root.resolve("sock/bus.sock");
        bridge = busRoot.start(new BridgeContext().eventLoops(1).dedicatedThreads(dedicatedThreads).listen(socket)
            .allowPublish("prices.*").allowPublish("log-?").allowSubscribe("prices.*").allowSubscribe("news")
            .log(log::add));
        return BusClients.open(new TransportContext().uri(socket));
    }

    @ParameterizedTest(name = "dedicated threads {0}")
    @ValueSource(ints = {0, 8})
    void allowedTopicsAreServedAndOthersRefused(int dedicatedThreads) throws Exception {
        try (BusClient client = start(dedicatedThreads)) {
            Subscriber prices = client.newSubscriber("prices.eu", new TopicConfig(),
                new SubscriberConfig().start(StartPosition.EARLIEST));
            Publisher publisher = client.newPublisher("prices.eu", new TopicConfig());
            publisher.offer("101.5".getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of("101.5"), receive(prices, 1));
            client.newPublisher("log-1", new TopicConfig()).close();
            client.newSubscriber("news", new TopicConfig(), new SubscriberConfig()).close();

            TransportException pub = assertThrows(TransportException.class,
                () -> client.newPublisher("secrets", new TopicConfig()));
            assertTrue(pub.getMessage().contains("topic 'secrets' is not in this bridge's publish allow list "
                + "(--allow-publish prices.* --allow-publish log-?)"), pub.getMessage());
            TransportException longer = assertThrows(TransportException.class,
                () -> client.newPublisher("log-12", new TopicConfig()));
            assertTrue(longer.getMessage().contains("topic 'log-12'"), longer.getMessage());
            TransportException news = assertThrows(TransportException.class,
                () -> client.newPublisher("news", new TopicConfig()));
            assertTrue(news.getMessage().contains("--allow-publish"), news.getMessage());
            TransportException sub = assertThrows(TransportException.class,
                () -> client.newSubscriber("secrets", new TopicConfig(), new SubscriberConfig()));
            assertTrue(sub.getMessage().contains("topic 'secrets' is not in this bridge's subscribe allow list "
                + "(--allow-subscribe prices.* --allow-subscribe news)"), sub.getMessage());
        }
        assertFalse(Files.exists(root.resolve("bus/secrets.topic")), "a refused hello created its topic");
        assertTrue(log.stream().anyMatch(line -> line.contains("'secrets'") && line.contains("not in the allow list")),
            "no log line for the refusal: " + log);
    }

    @Test
    void aBadGlobIsRefused() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> new BridgeContext().allowSubscribe("prices/[eu]").conclude());
        assertTrue(bad.getMessage().startsWith("allowSubscribe 'prices/[eu]'"), bad.getMessage());
    }

    private static List<String> receive(Subscriber subscriber, int count) throws InterruptedException {
        List<String> got = new ArrayList<>();
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (got.size() < count && System.nanoTime() - deadline < 0) {
            subscriber.poll((type, buffer, offset, length) -> got.add(new String(
                buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8)), 10);
            Thread.sleep(1);
        }
        return got;
    }
}
