package io.ringbus.transport.stream;

import io.ringbus.core.os.FileDescriptors;
import io.ringbus.core.os.SharedFiles;
import io.ringbus.transport.TransportException;
import io.ringbus.transport.TransportUri;
import io.ringbus.transport.frame.FrameDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The {@code fifo:DIR} rendezvous: {@link FifoAcceptor} and {@link FifoConnector}. */
class FifoStreamTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final Set<String> BRIDGE_FILES = Set.of(FifoAcceptor.RENDEZVOUS_NAME, FifoAcceptor.LOCK_NAME);

    private final Path root = FdTestSupport.newDirectory();
    private final Path dir = root.resolve("bus");
    private final ExecutorService executor = Executors.newCachedThreadPool();

    @AfterEach
    void cleanUp() {
        executor.shutdownNow();
        FdTestSupport.deleteTree(root);
    }

    @Test
    void connectsAndCarriesBytesBothWays() throws Exception {
        try (FifoAcceptor acceptor = new FifoAcceptor(dir)) {
            assertEquals(0700, mode(dir));
            assertEquals(0600, mode(dir.resolve(FifoAcceptor.RENDEZVOUS_NAME)));
            assertEquals(TransportUri.parse("fifo:" + dir), acceptor.uri());
            Future<ByteStream> client = executor.submit(() -> new FifoConnector(TransportUri.parse("fifo:" + dir))
                .connect(5 * SECOND));
            try (ByteStream server = acceptor.accept(5 * SECOND);
                 ByteStream connected = client.get(5, TimeUnit.SECONDS)) {
                assertNotNull(server);
                assertEquals(BRIDGE_FILES, names(), "the client FIFOs are unlinked once connected");
                byte[] payload = new byte[150_000];
                new Random(1).nextBytes(payload);
                Future<?> writer = executor.submit(() -> FdTestSupport.writeFully(connected, ByteBuffer.wrap(payload)));
                ByteBuffer got = ByteBuffer.allocate(payload.length);
                FdTestSupport.readFully(server, got);
                writer.get(5, TimeUnit.SECONDS);
                assertArrayEquals(payload, got.array());

                FdTestSupport.writeFully(server, ByteBuffer.wrap("pong".getBytes()));
                ByteBuffer back = ByteBuffer.allocateDirect(4);
                FdTestSupport.readFully(connected, back);
                assertEquals("pong", StandardCharsets.US_ASCII.decode(back.flip()).toString());
                assertTrue(server.describe().contains("client c-" + ProcessHandle.current().pid() + "-"),
                    server.describe());
                assertTrue(connected.describe().startsWith("fifo:" + dir + " as c-"), connected.describe());
            }
        }
        assertEquals(Set.of(), names(), "close removes the rendezvous FIFO and the lock file");
    }

    @Test
    void theBridgeSideReadsEndOfStreamWhenTheClientCloses() throws Exception {
        try (FifoAcceptor acceptor = new FifoAcceptor(dir)) {
            Future<ByteStream> client = executor.submit(() -> new FifoConnector(dir).connect(5 * SECOND));
            try (ByteStream server = acceptor.accept(5 * SECOND)) {
                ByteStream connected = client.get(5, TimeUnit.SECONDS);
                assertEquals(0, server.read(ByteBuffer.allocate(8)), "no premature end of stream");
                FdTestSupport.writeFully(connected, ByteBuffer.wrap(new byte[] {5}));
                connected.close();
                ByteBuffer one = ByteBuffer.allocate(1);
                FdTestSupport.readFully(server, one);
                assertEquals(5, one.get(0));
                FdTestSupport.assertEndOfStream(server);
            }
        }
    }

    @Test
    void theClientReadsEndOfStreamAndCannotWriteWhenTheBridgeSideCloses() throws Exception {
        try (FifoAcceptor acceptor = new FifoAcceptor(dir)) {
            Future<ByteStream> client = executor.submit(() -> new FifoConnector(dir).connect(5 * SECOND));
            ByteStream server = acceptor.accept(5 * SECOND);
            try (ByteStream connected = client.get(5, TimeUnit.SECONDS)) {
                assertEquals(0, connected.read(ByteBuffer.allocate(8)), "nothing after ACCEPT was consumed");
                server.close();
                FdTestSupport.assertEndOfStream(connected);
                assertThrows(StreamClosedException.class, () -> connected.write(ByteBuffer.wrap(new byte[] {1})));
            }
        }
    }

    @Test
    void aThousandConnectionsLeaveNoDescriptorsOrFilesBehind() throws Exception {
        try (FifoAcceptor acceptor = new FifoAcceptor(dir)) {
            FifoConnector connector = new FifoConnector(dir);
            cycle(acceptor, connector, 20); // warm up: classes, thread-locals, scratch memory
            long before = FdTestSupport.openFds();
            cycle(acceptor, connector, 1000);
            FdTestSupport.assertFdsBackTo(before, 4);
            assertEquals(BRIDGE_FILES, names());
        }
    }

    private void cycle(FifoAcceptor acceptor, FifoConnector connector, int times) throws Exception {
        Future<Integer> server = executor.submit(() -> {
            for (int i = 0; i < times; i++) {
                ByteStream stream = acceptor.accept(5 * SECOND);
                assertNotNull(stream, "accept " + i + " timed out");
                stream.close();
            }
            return times;
        });
        for (int i = 0; i < times; i++) {
            connector.connect(5 * SECOND).close();
        }
        assertEquals(times, server.get(30, TimeUnit.SECONDS));
    }

    @Test
    void eightConcurrentClientsAreAllAccepted() throws Exception {
        int clients = 8;
        try (FifoAcceptor acceptor = new FifoAcceptor(dir)) {
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                results.add(CompletableFuture.supplyAsync(() -> {
                    try (ByteStream stream = new FifoConnector(dir).connect(10 * SECOND)) {
                        FdTestSupport.writeFully(stream, ByteBuffer.wrap(new byte[] {(byte) id}));
                        ByteBuffer echo = ByteBuffer.allocate(1);
                        FdTestSupport.readFully(stream, echo);
                        return (int) echo.get(0);
                    }
                }, executor));
            }
            List<ByteStream> accepted = new ArrayList<>();
            try {
                for (int i = 0; i < clients; i++) {
                    ByteStream stream = acceptor.accept(10 * SECOND);
                    assertNotNull(stream, "accepted only " + i);
                    accepted.add(stream);
                }
                for (ByteStream stream : accepted) {
                    ByteBuffer id = ByteBuffer.allocate(1);
                    FdTestSupport.readFully(stream, id);
                    FdTestSupport.writeFully(stream, id.flip());
                }
                Set<Integer> ids = new TreeSet<>();
                for (CompletableFuture<Integer> result : results) {
                    ids.add(result.get(10, TimeUnit.SECONDS));
                }
                assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6, 7), ids);
            } finally {
                accepted.forEach(ByteStream::close);
            }
            assertEquals(BRIDGE_FILES, names());
        }
    }

    @Test
    void hostileConnectFramesAreSkippedAndAGoodClientStillConnects() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        try (FifoAcceptor acceptor = new FifoAcceptor(dir)) {
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            int fd = FileDescriptors.openFifo(dir.resolve(FifoAcceptor.RENDEZVOUS_NAME), true);
            assertTrue(fd >= 0);
            try (FdStream rendezvous = FdStream.adopt(fd, fd, "test writer")) {
                byte[] random = new byte[3000];
                new Random(3).nextBytes(random);
                List<ByteBuffer> hostile = List.of(
                    connect("../x"),
                    connect("c-1-0123456789abcdef/../../etc"),
                    connect("c-12-0123456789ABCDEF"),
                    connect("c-0-0123456789abcdef"),
                    connect("c-12-0123456789abcdef\n"),
                    frame(100_000, FrameDescriptor.CONNECT, new byte[0]),
                    frame(-1, FrameDescriptor.CONNECT, new byte[0]),
                    frame(0, FrameDescriptor.CONNECT, new byte[0]),
                    frame(4, FrameDescriptor.HELLO, "ring".getBytes()),
                    frame(20, FrameDescriptor.CONNECT, "c-1-".getBytes()), // promises more than it holds
                    frame(2, FrameDescriptor.CONNECT, new byte[] {(byte) 0xC3, (byte) 0x28}),
                    ByteBuffer.wrap(new byte[] {1, 2, 3}),
                    ByteBuffer.wrap(random),
                    connect("c-999999999-0123456789abcdef")); // well formed, but nobody made its FIFOs
                for (ByteBuffer bytes : hostile) {
                    assertEquals(bytes.remaining(), rendezvous.write(bytes));
                    assertNull(acceptor.accept(20_000_000L), "nothing to accept");
                }
            }
            Future<ByteStream> client = executor.submit(() -> new FifoConnector(dir).connect(5 * SECOND));
            try (ByteStream server = acceptor.accept(5 * SECOND);
                 ByteStream connected = client.get(5, TimeUnit.SECONDS)) {
                assertNotNull(server);
                FdTestSupport.writeFully(connected, ByteBuffer.wrap(new byte[] {42}));
                ByteBuffer one = ByteBuffer.allocate(1);
                FdTestSupport.readFully(server, one);
                assertEquals(42, one.get(0));
            }
        } finally {
            System.setErr(originalErr);
        }
        String lines = log.toString(StandardCharsets.UTF_8);
        long count = lines.lines().count();
        assertTrue(count >= 10 && count <= 16, "one line per bad frame:\n" + lines);
        assertTrue(lines.contains("refused a CONNECT frame with client name \"../x\""), lines);
        assertTrue(lines.contains("not UTF-8"), lines);
        assertTrue(lines.contains("passed over client c-999999999-0123456789abcdef"), lines);
        assertFalse(lines.contains("\n\n"), lines);
    }

    @Test
    void withNoBridgeConnectSaysHowToStartOne() throws IOException {
        TransportException missingDir = assertThrows(TransportException.class,
            () -> new FifoConnector(dir).connect(SECOND));
        assertTrue(missingDir.getMessage().contains("Start one: ./bus daemon --listen fifo:" + dir),
            missingDir.getMessage());

        SharedFiles.ensureDirectory(dir);
        TransportException noFifo = assertThrows(TransportException.class,
            () -> new FifoConnector(dir).connect(SECOND));
        assertTrue(noFifo.getMessage().startsWith("No bridge serves fifo:" + dir), noFifo.getMessage());
        assertTrue(noFifo.getMessage().contains("./bus daemon --listen fifo:" + dir), noFifo.getMessage());

        // A stale rendezvous FIFO from a dead bridge: nobody reads it.
        FileDescriptors.close(FileDescriptors.createFifo(dir.resolve(FifoAcceptor.RENDEZVOUS_NAME), 0600));
        TransportException stale = assertThrows(TransportException.class,
            () -> new FifoConnector(dir).connect(SECOND));
        assertTrue(stale.getMessage().contains("stale"), stale.getMessage());
        assertTrue(stale.getMessage().contains("./bus daemon --listen fifo:" + dir), stale.getMessage());
        assertEquals(Set.of(FifoAcceptor.RENDEZVOUS_NAME), names(), "a failed connect leaves no FIFOs");
    }

    @Test
    void aBridgeThatNeverAnswersGivesATypedTimeout() {
        SharedFiles.ensureDirectory(dir);
        int fd = FileDescriptors.createFifo(dir.resolve(FifoAcceptor.RENDEZVOUS_NAME), 0600);
        try {
            long start = System.nanoTime();
            TransportException e = assertThrows(TransportException.class,
                () -> new FifoConnector(dir).connect(200_000_000L));
            assertTrue(System.nanoTime() - start < 5 * SECOND);
            assertTrue(e.getMessage().contains("did not answer in time"), e.getMessage());
            assertEquals(Set.of(FifoAcceptor.RENDEZVOUS_NAME), names(), "the client removed its FIFOs");
        } finally {
            FileDescriptors.close(fd);
        }
    }

    @Test
    void aSecondAcceptorOnTheSameDirectoryIsRefused() {
        try (FifoAcceptor first = new FifoAcceptor(dir)) {
            TransportException e = assertThrows(TransportException.class, () -> new FifoAcceptor(dir));
            assertTrue(e.getMessage().startsWith("Another bridge serves fifo:" + dir
                + " (pid " + ProcessHandle.current().pid() + ")"), e.getMessage());
            assertEquals(BRIDGE_FILES, names(), "the refused acceptor touched nothing");
        }
        try (FifoAcceptor again = new FifoAcceptor(dir)) {
            assertEquals(BRIDGE_FILES, names(), "the directory can be served again");
        }
    }

    @Test
    void startingReplacesAStaleRendezvousAndSweepsDeadClientsFifos() throws Exception {
        SharedFiles.ensureDirectory(dir);
        FileDescriptors.close(FileDescriptors.createFifo(dir.resolve(FifoAcceptor.RENDEZVOUS_NAME), 0600));
        String dead = "c-999999999-0123456789abcdef";
        String alive = "c-" + ProcessHandle.current().pid() + "-0123456789abcdef";
        for (String name : List.of(dead + ".up", dead + ".down", alive + ".up")) {
            FileDescriptors.close(FileDescriptors.createFifo(dir.resolve(name), 0600));
        }
        try (FifoAcceptor acceptor = new FifoAcceptor(dir)) {
            assertEquals(Set.of(FifoAcceptor.RENDEZVOUS_NAME, FifoAcceptor.LOCK_NAME, alive + ".up"), names());
            Future<ByteStream> client = executor.submit(() -> new FifoConnector(dir).connect(5 * SECOND));
            try (ByteStream server = acceptor.accept(5 * SECOND)) {
                assertNotNull(server);
                client.get(5, TimeUnit.SECONDS).close();
            }
        }
    }

    @Test
    void closingTheAcceptorWakesAcceptAndEndsAPendingClientAtOnce() throws Exception {
        FifoAcceptor acceptor = new FifoAcceptor(dir);
        Future<ByteStream> waiting = executor.submit(() -> acceptor.accept(30 * SECOND));
        Thread.sleep(100);
        long start = System.nanoTime();
        acceptor.close();
        assertNull(waiting.get(5, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start < SECOND / 2, "accept woke late");
        assertNull(acceptor.accept(SECOND), "a closed acceptor accepts nothing");

        // A client whose CONNECT is queued when the bridge closes learns it at once.
        try (FifoAcceptor second = new FifoAcceptor(dir)) {
            Future<ByteStream> client = executor.submit(() -> new FifoConnector(dir).connect(30 * SECOND));
            long deadline = System.nanoTime() + 5 * SECOND;
            while (names().size() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(5); // the client's .up and .down appear
            }
            Thread.sleep(100); // and its CONNECT is written right after them
            second.close();
            long closed = System.nanoTime();
            Exception e = assertThrows(Exception.class, () -> client.get(10, TimeUnit.SECONDS));
            assertInstanceOf(TransportException.class, e.getCause());
            assertTrue(System.nanoTime() - closed < 2 * SECOND, "the client waited for its timeout");
        }
        assertEquals(Set.of(), names());
    }

    @Test
    void anUnsafeDirectoryIsRefused() throws IOException {
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        TransportException e = assertThrows(TransportException.class, () -> new FifoAcceptor(dir));
        assertTrue(e.getMessage().contains("mode 0777"), e.getMessage());
    }

    private Set<String> names() {
        if (!Files.exists(dir)) {
            return Set.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(path -> path.getFileName().toString()).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode") & 07777;
    }

    private static ByteBuffer connect(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return frame(bytes.length, FrameDescriptor.CONNECT, bytes);
    }

    private static ByteBuffer frame(int length, int type, byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(8 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        return frame.putInt(length).putInt(type).put(payload).flip();
    }
}
