package io.ringbus.transport.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.AuthToken;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.BusClients;
import io.ringbus.transport.TlsContexts;
import io.ringbus.transport.TransportContext;
import io.ringbus.transport.TransportException;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TLS on TCP (issue 14, item 5): a client trusting the bridge's certificate publishes and subscribes through
 * it (with the token as well), a plaintext client against the TLS listener is refused before any frame, and
 * a client that trusts another certificate refuses the bridge.
 */
class BridgeTlsTest {
    private static final byte[] SECRET = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
    private static final long PATIENCE_NANOS = 10_000_000_000L;

    /** The key pairs, made once (keytool is a JVM start each time). */
    private static Path keys;

    private BusRoot busRoot;
    private Path root;
    private Bus bus;
    private Bridge bridge;
    private final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void makeKeys() throws Exception {
        keys = Files.createTempDirectory(Path.of("/dev/shm"), "rb-tls-keys-");
        keyPair("bridge");
        keyPair("other");
    }

    @AfterAll
    static void removeKeys() throws IOException {
        BusRoot.delete(keys);
    }

    @BeforeEach
    void makeRoot() throws IOException {
        busRoot = BusRoot.create("rb-tls-");
        root = busRoot.root;
        bus = busRoot.bus;
    }

    @AfterEach
    void removeRoot() throws IOException {
        busRoot.close();
    }

    /** A PKCS#12 key store NAME.p12 (password in NAME.pass, 0600) and its certificate NAME.pem, by keytool. */
    private static void keyPair(String name) throws Exception {
        Path root = keys;
        Path password = root.resolve(name + ".pass");
        Files.writeString(password, "changeit\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        Path keytool = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("keytool");
        keytool(keytool.toString(), "-genkeypair", "-alias", "bus", "-keyalg", "EC", "-groupname", "secp256r1",
            "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype",
            "PKCS12", "-keystore", root.resolve(name + ".p12").toString(), "-storepass:file", password.toString());
        keytool(keytool.toString(), "-exportcert", "-rfc", "-alias", "bus", "-keystore",
            root.resolve(name + ".p12").toString(), "-storepass:file", password.toString(), "-file",
            root.resolve(name + ".pem").toString());
    }

    private static void keytool(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
        assertEquals(0, process.exitValue(), "keytool failed: " + output);
    }

    private String startBridge(AuthToken token) throws Exception {
        bridge = busRoot.start(new BridgeContext().listen("tcp://127.0.0.1:0").authToken(token)
            .tls(TlsContexts.server(keys.resolve("bridge.p12"), keys.resolve("bridge.pass"))).log(log::add));
        return bridge.listening().get(0).toString();
    }

    private static BusClient client(String uri, SSLContext tls, AuthToken token) {
        return BusClients.open(new TransportContext().uri(uri).tls(tls).authToken(token));
    }

    @Test
    void aClientTrustingTheBridgeIsServedOverTls() throws Exception {
        String tcp = startBridge(AuthToken.of(SECRET));
        byte[] large = new byte[100_000]; // several TLS records
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) (i * 31);
        }
        SSLContext trust = TlsContexts.trusting(keys.resolve("bridge.pem"));
        try (BusClient client = client(tcp, trust, AuthToken.of(SECRET))) {
            Subscriber subscriber = client.newSubscriber("t", new TopicConfig(),
                new SubscriberConfig().start(StartPosition.EARLIEST));
            var publisher = client.newPublisher("t", new TopicConfig());
            publisher.offer("secret".getBytes(StandardCharsets.UTF_8));
            publisher.offer(large);
            List<byte[]> got = receive(subscriber, 2);
            assertEquals(2, got.size(), "messages through TLS");
            assertEquals("secret", new String(got.get(0), StandardCharsets.UTF_8));
            assertArrayEquals(large, got.get(1));
        }
    }

    @Test
    void aPlaintextClientIsRefused() throws Exception {
        String tcp = startBridge(null);
        try (BusClient client = client(tcp, null, null)) {
            TransportException refused = assertThrows(TransportException.class,
                () -> client.newPublisher("t", new TopicConfig()));
            assertTrue(refused.getMessage().contains("closed the connection"), refused.getMessage());
        }
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (log.stream().noneMatch(line -> line.contains("TLS handshake")) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(log.stream().anyMatch(line -> line.contains("TLS handshake")), "no log line: " + log);
        assertTrue(!Files.exists(root.resolve("bus/t.topic")), "a plaintext hello opened its topic");
    }

    @Test
    void aClientTrustingAnotherCertificateRefusesTheBridge() throws Exception {
        String tcp = startBridge(null);
        try (BusClient client = client(tcp, TlsContexts.trusting(keys.resolve("other.pem")), null)) {
            TransportException refused = assertThrows(TransportException.class,
                () -> client.newPublisher("t", new TopicConfig()));
            assertTrue(refused.getMessage().contains("TLS handshake"), refused.getMessage());
        }
    }

    @Test
    void aPasswordFileOthersCanReadIsRefused() throws Exception {
        Path password = root.resolve("loose.pass");
        Files.writeString(password, "changeit\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r-----"));
        TransportException refused = assertThrows(TransportException.class,
            () -> TlsContexts.server(keys.resolve("bridge.p12"), password));
        assertTrue(refused.getMessage().contains("mode 0640"), refused.getMessage());
    }

    private static List<byte[]> receive(Subscriber subscriber, int count) throws InterruptedException {
        List<byte[]> got = new ArrayList<>();
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (got.size() < count && System.nanoTime() - deadline < 0) {
            subscriber.poll((type, buffer, offset, length) -> got.add(
                buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE)), 10);
            Thread.sleep(1);
        }
        return got;
    }
}
