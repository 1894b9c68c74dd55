package io.ringbus.transport.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.AuthToken;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.BusClients;
import io.ringbus.transport.TransportContext;
import io.ringbus.transport.TransportException;
import io.ringbus.transport.frame.FrameDescriptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Token authentication on TCP (issue 14, item 5): a client with the token is served, one with a wrong
 * token or none is refused with a REJECT, and a recorded good exchange replayed on a new connection is
 * refused, on a dedicated session thread and on an event loop alike. Unix sockets need no token.
 */
class BridgeAuthTest {
    private static final byte[] SECRET = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
    private static final long PATIENCE_NANOS = 10_000_000_000L;

    private BusRoot busRoot;
    private Path root;
    private Bus bus;
    private Bridge bridge;
    private final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void makeRoot() throws IOException {
        busRoot = BusRoot.create("rb-auth-");
        root = busRoot.root;
        bus = busRoot.bus;
    }

    @AfterEach
    void removeRoot() throws IOException {
        busRoot.close();
    }

    /** A bridge on loopback TCP and a Unix socket that requires the token on TCP. */
    private String startBridge(int dedicatedThreads) {
        bridge = busRoot.start(new BridgeContext().eventLoops(1).dedicatedThreads(dedicatedThreads)
            .listen("tcp://127.0.0.1:0").listen("unix:" + root.resolve("sock/bus.sock"))
            .authToken(AuthToken.of(SECRET)).log(log::add));
        return bridge.listening().get(0).toString();
    }

    private BusClient client(String uri, AuthToken token) {
        return BusClients.open(new TransportContext().uri(uri).authToken(token)
            .connectTimeout(Duration.ofSeconds(5)));
    }

    @ParameterizedTest(name = "dedicated threads {0}")
    @ValueSource(ints = {0, 8})
    void theRightTokenIsServed(int dedicatedThreads) throws Exception {
        String tcp = startBridge(dedicatedThreads);
        try (BusClient client = client(tcp, AuthToken.of(SECRET))) {
            Subscriber subscriber = client.newSubscriber("t", new TopicConfig(),
                new SubscriberConfig().start(StartPosition.EARLIEST));
            Publisher publisher = client.newPublisher("t", new TopicConfig());
            publisher.offer("through the door".getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of("through the door"), receive(subscriber, 1));
        }
    }

    @ParameterizedTest(name = "dedicated threads {0}")
    @ValueSource(ints = {0, 8})
    void aWrongTokenIsRefused(int dedicatedThreads) {
        String tcp = startBridge(dedicatedThreads);
        try (BusClient client = client(tcp, AuthToken.of("a wrong token of some length".getBytes()))) {
            TransportException refused = assertThrows(TransportException.class,
                () -> client.newPublisher("t", new TopicConfig()));
            assertTrue(refused.getMessage().endsWith(": authentication failed"), refused.getMessage());
        }
        assertTrue(log.stream().anyMatch(line -> line.contains("a wrong answer to the authentication challenge")),
            "no log line for the refusal: " + log);
    }

    @ParameterizedTest(name = "dedicated threads {0}")
    @ValueSource(ints = {0, 8})
    void noTokenIsRefusedWithWhatToGive(int dedicatedThreads) {
        String tcp = startBridge(dedicatedThreads);
        try (BusClient client = client(tcp, null)) {
            TransportException refused = assertThrows(TransportException.class,
                () -> client.newSubscriber("t", new TopicConfig(), new SubscriberConfig()));
            assertTrue(refused.getMessage().contains("requires authentication")
                && refused.getMessage().contains("--auth-token-file"), refused.getMessage());
        }
    }

    /** A client that does not know the protocol's challenge (sends its messages behind the hello). */
    @ParameterizedTest(name = "dedicated threads {0}")
    @ValueSource(ints = {0, 8})
    void framesInsteadOfAnAnswerAreRefused(int dedicatedThreads) throws Exception {
        String tcp = startBridge(dedicatedThreads);
        try (SocketChannel channel = connect(tcp)) {
            write(channel, frame(FrameDescriptor.HELLO, "ringbus/1 pub t".getBytes(StandardCharsets.UTF_8)),
                frame(0, "sneaked in".getBytes(StandardCharsets.UTF_8)));
            assertEquals(AuthToken.NONCE_LENGTH, readFrame(channel, FrameDescriptor.CHALLENGE).length);
            String reason = new String(readFrame(channel, FrameDescriptor.REJECT), StandardCharsets.UTF_8);
            assertTrue(reason.contains("requires authentication"), reason);
        }
        try (Subscriber shm = bus.newSubscriber("t", new TopicConfig(),
            new SubscriberConfig().start(StartPosition.EARLIEST))) {
            assertEquals(0, shm.poll((type, buffer, offset, length) -> { }, 10), "a refused client published");
        }
    }

    /** A client that says hello and never answers the challenge is closed at the hello's deadline, saying so. */
    @ParameterizedTest(name = "dedicated threads {0}")
    @ValueSource(ints = {0, 8})
    void aClientSilentAfterTheChallengeIsClosedAtTheDeadline(int dedicatedThreads) throws Exception {
        bridge = busRoot.start(new BridgeContext().eventLoops(1).dedicatedThreads(dedicatedThreads)
            .listen("tcp://127.0.0.1:0").helloTimeout(Duration.ofMillis(300)).authToken(AuthToken.of(SECRET))
            .log(log::add));
        try (SocketChannel channel = connect(bridge.listening().get(0).toString())) {
            write(channel, frame(FrameDescriptor.HELLO, "ringbus/1 pub t".getBytes(StandardCharsets.UTF_8)));
            assertEquals(AuthToken.NONCE_LENGTH, readFrame(channel, FrameDescriptor.CHALLENGE).length);
            assertEquals(-1, channel.read(ByteBuffer.allocate(1)), "the bridge closes the silent connection");
        }
        assertTrue(log.stream().anyMatch(line -> line.contains("no answer to the authentication challenge within")),
            "the log says what the client did not send: " + log);
    }

    /**
     * Records every byte a good client sends, then replays them on a new connection: the bridge's new
     * nonce makes the recorded answer wrong.
     */
    @ParameterizedTest(name = "dedicated threads {0}")
    @ValueSource(ints = {0, 8})
    void aReplayedExchangeIsRefused(int dedicatedThreads) throws Exception {
        String tcp = startBridge(dedicatedThreads);
        byte[] helloPayload = "ringbus/1 pub t".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream recorded = new ByteArrayOutputStream();
        byte[] firstNonce;
        try (SocketChannel channel = connect(tcp)) {
            byte[] hello = frame(FrameDescriptor.HELLO, helloPayload);
            write(channel, hello);
            recorded.write(hello);
            firstNonce = readFrame(channel, FrameDescriptor.CHALLENGE);
            byte[] auth = frame(FrameDescriptor.AUTH, AuthToken.of(SECRET).answer(firstNonce, helloPayload));
            byte[] message = frame(0, "once".getBytes(StandardCharsets.UTF_8));
            write(channel, auth, message);
            recorded.write(auth);
            recorded.write(message);
            String welcome = new String(readFrame(channel, FrameDescriptor.WELCOME), StandardCharsets.UTF_8);
            assertTrue(welcome.startsWith("ok "), welcome);
        }
        Subscriber shm = bus.newSubscriber("t", new TopicConfig(),
            new SubscriberConfig().start(StartPosition.EARLIEST));
        assertEquals(List.of("once"), receive(shm, 1), "the good exchange did not publish");
        try (SocketChannel replay = connect(tcp)) {
            write(replay, recorded.toByteArray());
            byte[] secondNonce = readFrame(replay, FrameDescriptor.CHALLENGE);
            assertEquals(AuthToken.NONCE_LENGTH, secondNonce.length);
            assertTrue(!java.util.Arrays.equals(firstNonce, secondNonce), "the bridge challenged twice alike");
            assertEquals("authentication failed",
                new String(readFrame(replay, FrameDescriptor.REJECT), StandardCharsets.UTF_8));
        }
        // The replay's message came behind its AUTH: a session that refused the AUTH never read it.
        assertEquals(0, shm.poll((type, buffer, offset, length) -> { }, 10), "the replay published");
        shm.close();
    }

    @Test
    void unixSocketsNeedNoToken() throws Exception {
        startBridge(0);
        try (BusClient client = client("unix:" + root.resolve("sock/bus.sock"), null)) {
            Subscriber subscriber = client.newSubscriber("t", new TopicConfig(),
                new SubscriberConfig().start(StartPosition.EARLIEST));
            client.newPublisher("t", new TopicConfig()).offer("local".getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of("local"), receive(subscriber, 1));
        }
    }

    @Test
    void aTokenFileOthersCanReadIsRefused() throws IOException {
        Path file = root.resolve("bus.token");
        Files.write(file, (new String(SECRET, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        TransportException refused = assertThrows(TransportException.class, () -> AuthToken.readFile(file));
        assertTrue(refused.getMessage().contains("mode 0644") && refused.getMessage().contains("chmod 600 " + file),
            refused.getMessage());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        byte[] nonce = AuthToken.newNonce();
        byte[] hello = "ringbus/1 sub t".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(AuthToken.of(SECRET).answer(nonce, hello), AuthToken.readFile(file).answer(nonce, hello),
            "the file's token, less its line end, is not the secret");
        Files.write(file, "short\n".getBytes(StandardCharsets.UTF_8));
        TransportException tooShort = assertThrows(TransportException.class, () -> AuthToken.readFile(file));
        assertTrue(tooShort.getMessage().contains("at least " + AuthToken.MIN_LENGTH), tooShort.getMessage());
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

    private static SocketChannel connect(String tcp) throws IOException {
        String hostPort = tcp.substring("tcp://".length());
        int colon = hostPort.lastIndexOf(':');
        return SocketChannel.open(new InetSocketAddress(hostPort.substring(0, colon),
            Integer.parseInt(hostPort.substring(colon + 1))));
    }

    static byte[] frame(int type, byte[] payload) {
        return ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH + payload.length).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(payload.length).putInt(type).put(payload).array();
    }

    private static void write(SocketChannel channel, byte[]... frames) throws IOException {
        for (byte[] frame : frames) {
            ByteBuffer buffer = ByteBuffer.wrap(frame);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    /** Reads one frame (blocking), which must be of {@code type}; returns its payload. */
    static byte[] readFrame(SocketChannel channel, int type) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, header);
        int actual = header.getInt(FrameDescriptor.TYPE_OFFSET);
        int length = header.getInt(FrameDescriptor.LENGTH_OFFSET);
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(channel, payload);
        assertEquals(FrameDescriptor.typeName(type), FrameDescriptor.typeName(actual),
            "frame type (payload '" + new String(payload.array(), StandardCharsets.UTF_8) + "')");
        return payload.array();
    }

    private static void readFully(SocketChannel channel, ByteBuffer into) throws IOException {
        while (into.hasRemaining()) {
            if (channel.read(into) < 0) {
                throw new IOException("end of stream with " + into.remaining() + " bytes to read");
            }
        }
    }
}
