package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several publisher processes, several subscriber processes: every subscriber receives every
 * message exactly once, each publisher's messages in its order, and all subscribers see the same
 * total order. The ring is small (64 KiB for about 290 KB of messages) so that the publishers wrap
 * it several times and are held back by the subscribers while they interleave.
 */
class OrderingAcrossProcessesTest {
    private static final int PUBLISHERS = 3;
    private static final int MESSAGES = 3_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final ProcessFixture fixture = new ProcessFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    @Timeout(120)
    void everySubscriberSeesEveryMessageOnceInOneTotalOrder() throws Exception {
        String dir = fixture.busDir().toString();
        int total = PUBLISHERS * MESSAGES;
        List<ChildJvm> subscribers = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            subscribers.add(fixture.start("subscriber-" + s, SubscriberMain.class,
                "--dir", dir, "--topic", "orders", "--expect", Integer.toString(total)));
        }
        subscribers.forEach(child -> child.awaitLine("READY", TIMEOUT));
        Path go = fixture.root().resolve("go");
        List<ChildJvm> publishers = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
            publishers.add(fixture.start("publisher-" + p, PublisherMain.class, "--dir", dir, "--topic", "orders",
                "--id", Integer.toString(p), "--count", Integer.toString(MESSAGES), "--go", go.toString()));
        }
        publishers.forEach(child -> child.awaitLine("READY", TIMEOUT));
        Files.createFile(go);

        for (ChildJvm publisher : publishers) {
            publisher.awaitLine("DONE", TIMEOUT);
        }
        List<List<String>> orders = new ArrayList<>();
        for (ChildJvm subscriber : subscribers) {
            String done = subscriber.awaitLine("DONE", TIMEOUT);
            assertEquals("DONE received=" + total + " bad=0", done, subscriber.describe());
            List<String> messages = subscriber.lines("M ");
            assertEquals(List.of(), subscriber.lines("BAD"), subscriber.name() + " received torn messages");
            assertEquals(total, messages.size(), subscriber.name());
            assertEachOnceInPublisherOrder(subscriber.name(), messages);
            orders.add(messages);
        }
        assertEquals(orders.get(0), orders.get(1), "both subscribers see the same total order");
        int switches = 0;
        for (int i = 1; i < orders.get(0).size(); i++) {
            if (!publisherOf(orders.get(0).get(i)).equals(publisherOf(orders.get(0).get(i - 1)))) {
                switches++;
            }
        }
        System.out.println("ordering: " + total + " messages from " + PUBLISHERS + " publisher processes, "
            + switches + " switches between publishers in the total order; publishers: "
            + publishers.stream().map(p -> p.lines("DONE").getFirst()).toList());
        assertTrue(switches > PUBLISHERS - 1, "the publishers' messages interleave (" + switches + " switches)");
    }

    private static String publisherOf(String line) {
        return line.split(" ")[1];
    }

    private static void assertEachOnceInPublisherOrder(String who, List<String> messages) {
        int[] next = new int[PUBLISHERS];
        Set<String> seen = new HashSet<>();
        for (String line : messages) {
            assertTrue(seen.add(line), who + " received " + line + " twice");
            String[] parts = line.split(" ");
            int id = Integer.parseInt(parts[1]);
            int seq = Integer.parseInt(parts[2]);
            assertTrue(id >= 0 && id < PUBLISHERS, who + ": unknown publisher in " + line);
            assertEquals(next[id], seq, who + ": publisher " + id + " out of order");
            next[id]++;
        }
        for (int id = 0; id < PUBLISHERS; id++) {
            assertEquals(MESSAGES, next[id], who + ": messages of publisher " + id);
        }
    }
}
