package io.ringbus.transport.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.Subscriber;
import io.ringbus.core.StartPosition;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.ConfirmingPublisher;
import io.ringbus.transport.conformance.Messages.Collector;
import io.ringbus.transport.conformance.Messages.OfferStats;
import io.ringbus.transport.frame.FrameDescriptor;
import io.ringbus.transport.stream.ByteStream;
import io.ringbus.transport.stream.StreamClosedException;
import io.ringbus.transport.stream.StreamConnector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cases only a stream path has (issue 4): its bridge going away and coming back, peers sending
 * malformed frames, connection churn, and writing to a peer that died. {@code shm:} has no bridge and
 * no byte stream between its clients (see {@link Fixtures#streams()}).
 */
class ConformanceStreamTest extends AbstractConformanceTest {
    private static final long CONNECT_TIMEOUT_NANOS = 5_000_000_000L;
    private static final long CLOSE_PATIENCE_NANOS = 5_000_000_000L;

    /**
     * Case 6: the bridge goes away while a publisher and a subscriber are connected. The first call of
     * each after that reports it (offer NOT_CONNECTED, poll nothing, no exception, onDisconnected told);
     * once a bridge serves the same path again, both reconnect on later calls and messages flow (except
     * on pipe:, whose pipes are handed over once and stay NOT_CONNECTED).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#streams")
    void bridgeGoesAwayAndComesBack(PathFixture fixture) {
        PathFixture path = open(fixture);
        TopicConfig topic = new TopicConfig();
        RecordingListener publisherEvents = new RecordingListener();
        RecordingListener subscriberEvents = new RecordingListener();
        Publisher publisher = path.client(publisherEvents).newPublisher("away", topic);
        Subscriber subscriber = path.client(subscriberEvents).newSubscriber("away", topic, new SubscriberConfig());
        OfferStats stats = new OfferStats();
        Collector got = new Collector();
        Messages.publish(publisher, 0, 0, 10, 64, stats);
        Messages.receive(subscriber, got, 10);

        path.stopBridge();
        assertEquals(Result.NOT_CONNECTED, publisher.offer(Messages.message(0, 10, 64)),
            "the first offer after the bridge closed");
        assertEquals(1, publisherEvents.disconnects.get(), "publisher's onDisconnected");
        assertEquals(0, subscriber.poll(got, 100), "the first poll after the bridge closed");
        assertEquals(1, subscriberEvents.disconnects.get(), "subscriber's onDisconnected");
        for (int i = 0; i < 20; i++) {
            assertEquals(Result.NOT_CONNECTED, publisher.offer(Messages.message(0, 10, 64)), "offer without bridge");
            assertEquals(Result.NOT_CONNECTED, publisher.tryClaim(64), "tryClaim without bridge");
            assertEquals(0, subscriber.poll(got, 100), "poll without bridge");
            assertEquals(0, subscriber.await(got, 100, 1_000_000L), "await without bridge");
        }
        assertEquals(1, publisherEvents.disconnects.get(), "onDisconnected is told once per break");
        assertEquals(1, subscriberEvents.disconnects.get(), "onDisconnected is told once per break");
        assertEquals(0, publisherEvents.reconnects.get() + subscriberEvents.reconnects.get(), "reconnected to what?");

        path.startBridge();
        if (!path.canReconnect()) {
            // pipe: the parent handed this process its pipes once; they cannot be dialled again.
            for (int i = 0; i < 20; i++) {
                assertEquals(Result.NOT_CONNECTED, publisher.offer(Messages.message(0, 10, 64)), "offer, pipe gone");
                assertEquals(0, subscriber.await(got, 100, 1_000_000L), "await, pipe gone");
            }
            assertEquals(0, publisherEvents.reconnects.get() + subscriberEvents.reconnects.get(), "pipe reconnected");
            return;
        }
        await(() -> {
            subscriber.poll(got, 100);
            return subscriberEvents.reconnects.get() == 1;
        }, "the subscriber to reconnect");
        Messages.publish(publisher, 0, 10, 10, 64, stats);
        assertEquals(1, publisherEvents.reconnects.get(), "publisher's onReconnected");
        Messages.receive(subscriber, got, 20);
        Messages.linger(subscriber, got, 20_000_000L);
        assertEquals(0, got.badPayloads(), "damaged payloads");
        Messages.assertPerPublisherOrder(got.keys(), 1, 20);
    }

    /**
     * Case 7: a peer that sends garbage, an oversize length or a bad hello has its connection closed
     * (end of stream; a REJECT frame first if the stream still carries it) and the reason logged, while
     * a well-behaved publisher and subscriber on the same bridge carry on.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#streams")
    void malformedFramesCloseOnlyTheirConnection(PathFixture fixture) {
        PathFixture path = open(fixture);
        TopicConfig topic = new TopicConfig();
        Subscriber subscriber = path.client().newSubscriber("bad", topic, new SubscriberConfig());
        Publisher publisher = path.client().newPublisher("bad", topic);
        int max = publisher.maxMessageLength();
        Collector got = new Collector();
        OfferStats stats = new OfferStats();
        int sent = 0;
        List<BadPeer> peers = List.of(
            new BadPeer("HTTP instead of frames", null,
                "GET / HTTP/1.1\r\nHost: bus\r\n\r\n".getBytes(StandardCharsets.US_ASCII), "must be HELLO"),
            new BadPeer("a hello claiming 2 GiB", null, RawStreams.header(FrameDescriptor.HELLO, Integer.MAX_VALUE),
                "HELLO claims"),
            new BadPeer("a hello claiming a negative length", null, RawStreams.header(FrameDescriptor.HELLO, -8),
                "HELLO claims"),
            new BadPeer("another protocol version", null, RawStreams.hello("ringbus/9 pub bad"), "speaks"),
            new BadPeer("an unknown role", null, RawStreams.hello("ringbus/1 both bad"), "role"),
            new BadPeer("an unknown option", null, RawStreams.hello("ringbus/1 pub bad colour=red"), "unknown"),
            new BadPeer("a bad topic name", null, RawStreams.hello("ringbus/1 pub ../etc"), "topic name"),
            new BadPeer("a message over the limit", "ringbus/1 pub bad", RawStreams.header(0, max + 1), "claims"),
            new BadPeer("a message claiming 1 GiB", "ringbus/1 pub bad", RawStreams.header(0, 1 << 30), "claims"),
            new BadPeer("a control frame from a publisher", "ringbus/1 pub bad",
                RawStreams.hello("ringbus/1 pub bad"), "only messages"),
            new BadPeer("bytes from a subscriber", "ringbus/1 sub bad", new byte[] {1, 2, 3}, "send nothing"));
        for (BadPeer peer : peers) {
            int logged = path.bridgeLog().size();
            try (ByteStream raw = path.rawConnector().connect(CONNECT_TIMEOUT_NANOS)) {
                if (peer.hello() != null) {
                    RawStreams.handshake(raw, peer.hello());
                }
                RawStreams.write(raw, peer.bytes());
                byte[] answer = RawStreams.readToEnd(raw, CLOSE_PATIENCE_NANOS);
                if (answer.length >= FrameDescriptor.HEADER_LENGTH) {
                    assertEquals(FrameDescriptor.REJECT, ByteBuffer.wrap(answer).order(ByteOrder.LITTLE_ENDIAN)
                        .getInt(FrameDescriptor.TYPE_OFFSET), peer.what() + ": the bridge's last words");
                }
            }
            await(() -> path.bridgeLog().size() > logged, "a log line about " + peer.what());
            List<String> lines = path.bridgeLog().subList(logged, path.bridgeLog().size());
            assertTrue(lines.stream().anyMatch(line -> line.contains("malformed") && line.contains(peer.logged())),
                peer.what() + ": expected a 'malformed' line containing '" + peer.logged() + "', got " + lines);
            Messages.offer(publisher, Messages.message(0, sent++, 64), stats);
            Messages.receive(subscriber, got, sent);
        }
        Messages.assertPerPublisherOrder(got.keys(), 1, sent);
        await(() -> path.bridge().activeSessions() == 2, "only the good pair's sessions to remain");
    }

    /**
     * A script that writes its hello and frames and exits without reading (a {@code printf} piped into
     * {@code nc}, or a child of {@code ./bus run}): the bridge's welcome meets a closed stream, and the
     * frames already sent must still be published.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#streams")
    void framesFromAClientThatLeftBeforeTheWelcomeArePublished(PathFixture fixture) {
        PathFixture path = open(fixture);
        Subscriber subscriber = path.client().newSubscriber("script", new TopicConfig(), new SubscriberConfig());
        java.io.ByteArrayOutputStream script = new java.io.ByteArrayOutputStream();
        script.writeBytes(RawStreams.hello("ringbus/1 pub script"));
        for (int i = 0; i < 3; i++) {
            script.writeBytes(RawStreams.frame(0, Messages.message(0, i, 32)));
        }
        try (ByteStream raw = path.rawConnector().connect(CONNECT_TIMEOUT_NANOS)) {
            RawStreams.write(raw, script.toByteArray());
        }
        Collector got = new Collector();
        Messages.receive(subscriber, got, 3);
        Messages.assertPerPublisherOrder(got.keys(), 1, 3);
    }

    /**
     * {@code closeAndConfirm}: the bridge answers END with PUBLISHED only once every message before it is in
     * the ring. Read on shared memory right after it returns, polling without waiting: every message is
     * there, in order, and the count it returned is theirs. Batched (the last frames still in the client's
     * buffer when it is called), on every path and on both kinds of bridge session (dedicated threads and
     * event loops); then the publisher is closed and offers say so.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#streams")
    void closeAndConfirmReturnsOnceEveryMessageIsInTheRing(PathFixture fixture) {
        fixture.batching(true);
        PathFixture path = open(fixture);
        int count = 5_000;
        TopicConfig topic = new TopicConfig().capacity(1024 * 1024);
        Publisher publisher = path.client().newPublisher("confirmed", topic);
        try (Bus local = Bus.open(path.busContext());
             Subscriber shm = local.newSubscriber("confirmed", topic,
                 new SubscriberConfig().start(StartPosition.EARLIEST))) {
            Messages.publish(publisher, 0, 0, count, 48, new OfferStats());
            ConfirmingPublisher confirming = assertInstanceOf(ConfirmingPublisher.class, publisher);
            assertEquals(count, confirming.closeAndConfirm(CLOSE_PATIENCE_NANOS * 6), "messages confirmed");
            Collector got = new Collector();
            while (shm.poll(got, 256) > 0) {
                // everything is in the ring already: no waiting
            }
            assertEquals(count, got.count(), "messages in the ring when closeAndConfirm returned");
            Messages.assertPerPublisherOrder(got.keys(), 1, count);
            assertEquals(Result.CLOSED, publisher.offer(new byte[8]), "the publisher is closed");
            assertThrows(IllegalStateException.class, () -> confirming.closeAndConfirm(1), "closed already");
        }
    }

    /**
     * A publisher that dies while its bridge session waits for room in a full ring: the session ends
     * anyway (it does not keep the topic mapped for ever waiting to publish for nobody). The client
     * writes until the path takes no more, so the session's receive buffer is full and bytes are still
     * unread in the kernel when it dies: the session must learn of the death without reading them.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#streams")
    void aPublisherThatDiesOnAFullRingEndsItsSession(PathFixture fixture) {
        PathFixture path = open(fixture);
        TopicConfig topic = new TopicConfig().capacity(64 * 1024);
        Subscriber stuck = path.client().newSubscriber("full", topic, new SubscriberConfig());
        long sessionsBefore = path.bridge().activeSessions();
        java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 1024; i++) { // 1 MiB: more than the ring, the session's buffer and the kernel's
            frames.writeBytes(RawStreams.frame(0, Messages.message(0, i, 1024)));
        }
        try (ByteStream raw = path.rawConnector().connect(CONNECT_TIMEOUT_NANOS)) {
            RawStreams.handshake(raw, "ringbus/1 pub full");
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(frames.toByteArray());
            long lastProgress = System.nanoTime();
            while (bytes.hasRemaining() && System.nanoTime() - lastProgress < 300_000_000L) {
                if (raw.write(bytes) == 0) {
                    raw.awaitWritable(10_000_000L);
                } else {
                    lastProgress = System.nanoTime();
                }
            }
            assertTrue(bytes.position() > 64 * 1024, "the path took only " + bytes.position() + " bytes");
            await(() -> path.bridge().activeSessions() == sessionsBefore + 1, "the publisher's session");
        }
        await(() -> path.bridge().activeSessions() == sessionsBefore, "the dead publisher's session to end");
        stuck.close();
    }

    /**
     * A subscriber whose process is killed while its topic is quiet: the bridge has no byte to write to
     * it, yet learns of the death, ends the session and lets the topic go. (On mq:, where a dead peer
     * sends no end of stream, such a session once lived for ever and kept a deleted topic file mapped for
     * the next clients of that name: {@code ./bus stress --via mq --seed 25662187818682}.)
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#streams")
    void aSubscriberKilledOnAQuietTopicEndsItsSession(PathFixture fixture) throws Exception {
        PathFixture path = open(fixture);
        String uri = path.processUri();
        assumeTrue(uri != null, path.name() + ": a client cannot be another process");
        long before = path.bridge().activeSessions();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp",
            System.getProperty("java.class.path"), SubscriberChild.class.getName(), uri, "quiet")
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(
                new java.io.InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("READY", out.readLine(), "the subscriber process did not start");
            await(() -> path.bridge().activeSessions() == before + 1, "the subscriber's session");
            Thread.sleep(300); // the session settles into waiting on the quiet ring
            child.destroyForcibly();
            assertTrue(child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the subscriber did not die");
            await(() -> path.bridge().activeSessions() == before, "the killed subscriber's session to end");
        } finally {
            child.destroyForcibly();
        }
    }

    /**
     * A script that writes more than the ring holds and exits at once, while the only subscriber has
     * stopped reading for a moment: every frame it sent is still published, in order, once the
     * subscriber goes on (a dead client's frames are dropped only when the ring takes nothing for long).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#streams")
    void framesOfAClientThatDiedOnAFullRingArePublishedOnceItDrains(PathFixture fixture) throws Exception {
        PathFixture path = open(fixture);
        TopicConfig topic = new TopicConfig().capacity(64 * 1024);
        Subscriber slow = path.client().newSubscriber("slow", topic, new SubscriberConfig());
        int count = 100; // 100 KiB: the ring fills, the rest waits in the session's buffer with room to spare
        java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            frames.writeBytes(RawStreams.frame(0, Messages.message(0, i, 1024)));
        }
        try (ByteStream raw = path.rawConnector().connect(CONNECT_TIMEOUT_NANOS)) {
            RawStreams.handshake(raw, "ringbus/1 pub slow");
            RawStreams.write(raw, frames.toByteArray());
        }
        Thread.sleep(1_000); // the subscriber reads nothing while the client is gone and the ring is full
        Collector got = new Collector();
        Messages.receive(slow, got, count);
        Messages.assertPerPublisherOrder(got.keys(), 1, count);
        slow.close();
    }

    /** A misbehaving peer: an optional hello it says first, then the bytes, and what the log must say. */
    private record BadPeer(String what, String hello, byte[] bytes, String logged) {
    }

    /**
     * Case 8: connecting and disconnecting over and over (half without a hello, a quarter after a
     * publisher's handshake, a quarter closing right after a subscriber's hello, so the bridge's
     * WELCOME meets a closed stream) leaves no session, descriptor or thread behind.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#streams")
    void churnLeavesNothingBehind(PathFixture fixture) {
        PathFixture path = open(fixture);
        TopicConfig topic = new TopicConfig();
        Publisher keeper = path.client().newPublisher("churn", topic); // keeps the topic mapped in the bridge
        StreamConnector connector = path.rawConnector();
        long before = path.bridge().sessionsServed();
        churn(connector, 200);
        awaitSessions(path, before + 200);
        int fds = openDescriptors();
        int threads = liveThreads();
        int rounds = path.churnConnections();
        churn(connector, rounds);
        awaitSessions(path, before + 200 + rounds);
        await(() -> openDescriptors() <= fds + 4, "descriptors back to " + fds + " (+4)");
        await(() -> liveThreads() <= threads + 2, "threads back to " + threads + " (+2)");
        assertTrue(Messages.offer(keeper, Messages.message(0, 0, 8), new OfferStats()) >= 0);
    }

    /** Waits until the bridge took {@code served} connections in all and only the keeper's is left. */
    private static void awaitSessions(PathFixture path, long served) {
        await(() -> path.bridge().sessionsServed() == served && path.bridge().activeSessions() == 1,
            "the bridge to serve " + served + " connections in all and end all but one");
    }

    private static void churn(StreamConnector connector, int rounds) {
        for (int i = 0; i < rounds; i++) {
            try (ByteStream raw = connector.connect(CONNECT_TIMEOUT_NANOS)) {
                switch (i & 3) {
                    case 1 -> RawStreams.handshake(raw, "ringbus/1 pub churn");
                    case 3 -> RawStreams.write(raw, RawStreams.hello("ringbus/1 sub churn"));
                    default -> {
                        // No hello at all.
                    }
                }
            }
        }
    }

    /**
     * Case 10: writing to a peer that died is an exception or a closed connection, never SIGPIPE
     * killing the JVM, on either side: here the client writes on after the bridge closed its
     * connection (the bridge side is {@link #churnLeavesNothingBehind}, whose bridge writes WELCOME to
     * thousands of closed streams).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#streams")
    void writingToADeadPeerIsAnException(PathFixture fixture) {
        PathFixture path = open(fixture);
        try (ByteStream raw = path.rawConnector().connect(CONNECT_TIMEOUT_NANOS)) {
            RawStreams.write(raw, RawStreams.header(12345, 0));
            RawStreams.readToEnd(raw, CLOSE_PATIENCE_NANOS);
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            long deadline = System.nanoTime() + CLOSE_PATIENCE_NANOS;
            assertThrows(StreamClosedException.class, () -> {
                while (System.nanoTime() - deadline < 0) {
                    chunk.clear();
                    if (raw.write(chunk) == 0) {
                        raw.awaitWritable(1_000_000L);
                    }
                }
            }, "writing on to a closed peer must fail with StreamClosedException");
        }
        Subscriber subscriber = path.client().newSubscriber("alive", new TopicConfig(), new SubscriberConfig());
        Publisher publisher = path.client().newPublisher("alive", new TopicConfig());
        Messages.publish(publisher, 0, 0, 10, 64, new OfferStats());
        Collector got = new Collector();
        Messages.receive(subscriber, got, 10);
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, got.keys(), "the bridge still serves");
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("waited 10 s for " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    static int openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int liveThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }
}
