package io.ringbus.transport.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.transport.TransportException;
import io.ringbus.transport.bridge.Bridge;
import io.ringbus.transport.bridge.BridgeContext;
import io.ringbus.transport.frame.FrameDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Case 9 of issue 4, the socket paths' security: a Unix socket is 0600 in a 0700 directory and serves
 * only its own user (SO_PEERCRED), a FIFO directory is 0700 with a 0600 rendezvous FIFO, and TCP listens
 * on loopback unless told otherwise. (Pipes have no name anyone could open: nothing to check.)
 */
class ConformanceSecurityTest extends AbstractConformanceTest {
    /**
     * Connects as told, waits argv[2] seconds, sends a hello (even if that fails: the bridge may have
     * closed first), and says what happened: denied, eof, reset, or answered with the bytes in hex.
     */
    private static final String PEER_SCRIPT = String.join("\n",
        "import socket, struct, sys, time",
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
        "try:",
        "    s.connect(sys.argv[1])",
        "except PermissionError:",
        "    print('denied'); sys.exit(0)",
        "time.sleep(float(sys.argv[2]))",
        "hello = b'ringbus/1 pub secret'",
        "try:",
        "    s.sendall(struct.pack('<ii', len(hello), -10) + hello)",
        "except (ConnectionResetError, BrokenPipeError):",
        "    pass",
        "data = b''",
        "try:",
        "    while True:",
        "        chunk = s.recv(4096)",
        "        if not chunk: break",
        "        data += chunk",
        "except ConnectionResetError:",
        "    pass",
        "print('answered ' + data.hex() if data else 'eof')",
        "");
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final int NOBODY = 65534;

    @Test
    void unixSocketIsPrivate() throws IOException {
        SocketFixture path = (SocketFixture) open(SocketFixture.unix());
        Path socket = path.bridge().listening().get(0).path();
        assertEquals("rw-------", mode(socket), "socket file mode");
        assertEquals("rwx------", mode(socket.getParent()), "socket directory mode");
    }

    @Test
    void fifoDirectoryIsPrivate() throws IOException {
        open(new FifoFixture());
        Path fifos = directory.resolve("fifos");
        assertEquals("rwx------", mode(fifos), "FIFO directory mode");
        assertEquals("rw-------", mode(fifos.resolve("bridge.fifo")), "rendezvous FIFO mode");
    }

    @Test
    void tcpRefusesNonLoopbackUnlessAllowed() {
        BridgeContext context = new BridgeContext().busContext(busContextIn(directory)).listen("tcp://0.0.0.0:0")
            .log(line -> { });
        TransportException refused = assertThrows(TransportException.class, () -> Bridge.start(context).close());
        assertTrue(refused.getMessage().contains("allowNonLoopback"), "the error names the flag: "
            + refused.getMessage());
        IllegalArgumentException open = assertThrows(IllegalArgumentException.class, () -> Bridge.start(
            new BridgeContext().busContext(busContextIn(directory)).listen("tcp://0.0.0.0:0").allowNonLoopback(true)
                .log(line -> { })).close());
        assertTrue(open.getMessage().contains("authToken") && open.getMessage().contains("insecure(true)"),
            "the error names both ways out: " + open.getMessage());
        try (Bridge allowed = Bridge.start(new BridgeContext().busContext(busContextIn(directory))
            .listen("tcp://0.0.0.0:0").allowNonLoopback(true).insecure(true).log(line -> { }))) {
            assertEquals("0.0.0.0", allowed.listening().get(0).host());
        }
        try (Bridge allowed = Bridge.start(new BridgeContext().busContext(busContextIn(directory))
            .listen("tcp://0.0.0.0:0").allowNonLoopback(true).log(line -> { })
            .authToken(io.ringbus.transport.AuthToken.of(new byte[16])))) {
            assertEquals("0.0.0.0", allowed.listening().get(0).host());
        }
    }

    /**
     * A peer of another user is refused twice over: the 0700 directory keeps it from the socket, and
     * if the modes were loosened (a misconfigured deployment), the bridge still closes it after
     * checking SO_PEERCRED, with a logged line and a REJECT frame telling the peer why.
     */
    @Test
    void peerOfAnotherUserIsRefused() throws Exception {
        Assumptions.assumeTrue(isRoot(), "runs a peer as another user, which needs root; we are not root");
        Assumptions.assumeTrue(Files.isExecutable(SETPRIV), "no " + SETPRIV + " to run a peer as user nobody");
        Assumptions.assumeTrue(Files.isExecutable(PYTHON), "no " + PYTHON + " to write the peer in");
        SocketFixture path = (SocketFixture) open(SocketFixture.unix());
        Path socket = path.bridge().listening().get(0).path();
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx--x--x"));

        assertEquals("denied", runAsNobody(socket, 0), "the socket directory let another user through");

        Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        // At once, and after the bridge has surely closed (the hello then fails with EPIPE): the peer reads
        // a REJECT saying why either way, and nothing after it.
        for (double wait : new double[] {0, 0.5}) {
            String outcome = runAsNobody(socket, wait);
            assertTrue(outcome.startsWith("answered "), "nobody's peer got '" + outcome + "'");
            ByteBuffer frame = ByteBuffer.wrap(HexFormat.of().parseHex(outcome.substring("answered ".length())))
                .order(ByteOrder.LITTLE_ENDIAN);
            int length = frame.getInt();
            assertEquals(FrameDescriptor.REJECT, frame.getInt(), "the frame type");
            assertEquals(frame.remaining(), length, "one frame and nothing after it");
            String reason = StandardCharsets.UTF_8.decode(frame).toString();
            assertTrue(reason.startsWith("this bridge serves only user " + System.getProperty("user.name")
                + ", and you run as nobody"), reason);
        }
        ConformanceStreamTest.await(() -> path.bridgeLog().stream().anyMatch(line -> line.contains("refused a peer")
            && line.contains("nobody")), "a log line refusing user nobody");
        assertEquals(0, path.bridge().sessionsServed(), "a session was started for another user's peer");
    }

    private static String runAsNobody(Path socket, double waitSeconds) throws Exception {
        Process process = new ProcessBuilder(List.of(SETPRIV.toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY,
            "--clear-groups", PYTHON.toString(), "-c", PEER_SCRIPT, socket.toString(), Double.toString(waitSeconds)))
            .redirectErrorStream(true).start();
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the peer process did not finish");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, process.exitValue(), "the peer process failed: " + output);
        return output;
    }

    private static boolean isRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private static io.ringbus.core.BusContext busContextIn(Path directory) throws IllegalStateException {
        Path bus = directory.resolve("bus");
        try {
            Files.createDirectories(bus);
            Files.setPosixFilePermissions(bus, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new io.ringbus.core.BusContext().directory(bus);
    }
}
