package io.ringbus.transport.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.transport.frame.FrameDescriptor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A bridge in a JVM of its own ({@link ManyClientsDaemon}) holding many clients at once, publishers and
 * subscribers on Unix sockets and TCP, speaking the documented frames over plain JDK channels; then a
 * churn of connects. Checked from the outside ({@code /proc/PID}): the daemon's threads stay bounded while
 * the clients are connected, every message reaches every subscriber of its topic, and after the clients
 * leave (and after the churn) the daemon's descriptors and threads are back where they started and every
 * publisher and subscriber slot is free again (a topic takes its full 16 publishers and 64 subscribers,
 * and the next of each gets a {@code REJECT} saying what to do).
 *
 * <p>In {@code ./bus test}: 1,000 clients and 5,000 connects. The full size:
 * {@code -Dringbus.manyClients=10000 -Dringbus.churn=100000}, which prints the daemon's figures.
 */
class ManyClientsTest {
    private static final int CLIENTS = Integer.getInteger("ringbus.manyClients", 1_000);
    private static final int CHURN = Integer.getInteger("ringbus.churn", 5_000);
    /** 15 publishers and 15 subscribers per topic (a topic has 16 publisher and 64 subscriber slots). */
    private static final int PER_TOPIC = 30;
    /** Threads the daemon may add while serving: 2 event loops, 2 ring watches, 8 dedicated, and slack. */
    private static final int THREAD_BOUND = 2 + 2 + 8 + 6;

    private Path root;
    private Process daemon;
    private PrintStream daemonIn;
    private BufferedReader daemonOut;
    private UnixDomainSocketAddress unix;
    private InetSocketAddress tcp;

    @BeforeEach
    void startDaemon() throws Exception {
        root = Files.createTempDirectory(Path.of("/dev/shm"), "rb-many-");
        Path socket = root.resolve("sock/bus.sock");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        daemon = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
            System.getProperty("java.class.path"), ManyClientsDaemon.class.getName(), root.resolve("bus").toString(),
            socket.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        daemonIn = new PrintStream(daemon.getOutputStream(), true, StandardCharsets.UTF_8);
        daemonOut = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
        String[] listening = daemonOut.readLine().split(" ");
        assertEquals("LISTENING", listening[0]);
        unix = UnixDomainSocketAddress.of(listening[1].substring("unix:".length()));
        String hostPort = listening[2].substring("tcp://".length());
        int colon = hostPort.lastIndexOf(':');
        tcp = new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    @AfterEach
    void stopDaemon() throws Exception {
        daemonIn.close();
        if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
            daemon.destroyForcibly();
        }
        try (var files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void holdsManyClientsOnBoundedThreadsAndChurnLeavesNothingBehind() {
        assertTimeoutPreemptively(Duration.ofMinutes(CLIENTS > 2_000 ? 30 : 5), this::run, "hang guard");
    }

    private void run() throws Exception {
        int topics = (CLIENTS + PER_TOPIC - 1) / PER_TOPIC;
        for (int t = 0; t < topics; t++) { // every topic file opened once: the baseline includes them
            try (SocketChannel warm = connect(t % 2 == 0)) {
                expect(warm, hello(warm, "pub", "t" + t, ""), FrameDescriptor.WELCOME);
            }
        }
        awaitSessions(0);
        Snapshot base = Snapshot.of(daemon.pid());

        List<SocketChannel> publishers = new ArrayList<>();
        List<SocketChannel> subscribers = new ArrayList<>();
        List<String> subscriberTopics = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            boolean pub = i % 2 == 0;
            SocketChannel channel = connect(i % 4 < 2);
            String topic = "t" + (i / PER_TOPIC);
            hello(channel, pub ? "pub" : "sub", topic, pub ? "" : " start=earliest");
            (pub ? publishers : subscribers).add(channel);
            if (!pub) {
                subscriberTopics.add(topic);
            }
        }
        for (SocketChannel channel : publishers) {
            expect(channel, 0, FrameDescriptor.WELCOME);
        }
        for (SocketChannel channel : subscribers) {
            expect(channel, 0, FrameDescriptor.WELCOME);
        }
        awaitSessions(CLIENTS);
        Snapshot held = Snapshot.of(daemon.pid());
        assertTrue(held.threads - base.threads <= THREAD_BOUND, "the daemon went from " + base.threads + " to "
            + held.threads + " threads for " + CLIENTS + " clients");

        ByteBuffer message = frame(0, "m".getBytes(StandardCharsets.UTF_8));
        for (SocketChannel channel : publishers) {
            writeFully(channel, message.duplicate());
        }
        for (int s = 0; s < subscribers.size(); s++) {
            int topic = Integer.parseInt(subscriberTopics.get(s).substring(1));
            int expected = (int) publishersOf(topic);
            for (int m = 0; m < expected; m++) {
                expect(subscribers.get(s), 0, 0);
            }
        }
        for (SocketChannel channel : publishers) {
            channel.close();
        }
        for (SocketChannel channel : subscribers) {
            channel.close();
        }
        awaitSessions(0);
        Snapshot after = awaitBack(base);

        churn(topics);
        awaitSessions(0);
        Snapshot churned = awaitBack(base);
        slotsAreAllFree("t0");
        if (CLIENTS > 2_000 || Boolean.getBoolean("ringbus.manyClients.print")) {
            System.out.printf("many clients: %d clients on %d topics, %d connects of churn%n", CLIENTS, topics,
                CHURN);
            System.out.printf("  daemon at start:    %s%n  holding %d clients: %s%n  after they left:    %s%n"
                + "  after the churn:    %s%n", base, CLIENTS, held, after, churned);
        }
    }

    private long publishersOf(int topic) {
        long count = 0;
        for (int i = topic * PER_TOPIC; i < Math.min(CLIENTS, (topic + 1) * PER_TOPIC); i++) {
            if (i % 2 == 0) {
                count++;
            }
        }
        return count;
    }

    /** Connects, says hello, reads the welcome, closes: {@link #CHURN} times over four threads. */
    private void churn(int topics) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            done.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < CHURN) {
                    try (SocketChannel channel = connect(i % 4 == 0)) {
                        if (channel.getRemoteAddress() instanceof InetSocketAddress) {
                            channel.setOption(StandardSocketOptions.SO_LINGER, 0); // no TIME_WAIT per connect
                        }
                        expect(channel, hello(channel, i % 2 == 0 ? "pub" : "sub", "t" + (i % topics), ""),
                            FrameDescriptor.WELCOME);
                    }
                }
                return null;
            }));
        }
        for (Future<?> future : done) {
            future.get();
        }
        pool.shutdown();
    }

    /** Every slot of {@code topic} is free: 16 publishers and 64 subscribers join, the next of each is refused. */
    private void slotsAreAllFree(String topic) throws Exception {
        List<SocketChannel> open = new ArrayList<>();
        try {
            for (int i = 0; i < 16 + 64; i++) {
                SocketChannel channel = connect(i % 2 == 0);
                open.add(channel);
                expect(channel, hello(channel, i < 16 ? "pub" : "sub", topic, ""), FrameDescriptor.WELCOME);
            }
            for (String role : new String[] {"pub", "sub"}) {
                try (SocketChannel extra = connect(true)) {
                    String reason = expect(extra, hello(extra, role, topic, ""), FrameDescriptor.REJECT);
                    String kind = role.equals("pub") ? "publisher" : "subscriber";
                    assertTrue(reason.contains("all " + (role.equals("pub") ? 16 : 64) + " " + kind + " slots")
                        && reason.contains(role.equals("pub") ? "maxPublishers=N" : "maxSubscribers=N"), reason);
                }
            }
        } finally {
            for (SocketChannel channel : open) {
                channel.close();
            }
        }
        awaitSessions(0);
    }

    private SocketChannel connect(boolean overUnix) throws IOException {
        return overUnix ? SocketChannel.open(unix) : SocketChannel.open(tcp);
    }

    private static int hello(SocketChannel channel, String role, String topic, String options) throws IOException {
        writeFully(channel, frame(FrameDescriptor.HELLO,
            ("ringbus/1 " + role + " " + topic + options).getBytes(StandardCharsets.UTF_8)));
        return 0;
    }

    private static ByteBuffer frame(int type, byte[] payload) {
        return ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH + payload.length).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(payload.length).putInt(type).put(payload).flip();
    }

    private static void writeFully(SocketChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Reads one frame, which must be of {@code type}; returns its payload as text. */
    private static String expect(SocketChannel channel, int ignored, int type) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, header);
        ByteBuffer payload = ByteBuffer.allocate(header.getInt(0));
        readFully(channel, payload);
        String text = new String(payload.array(), StandardCharsets.UTF_8);
        assertEquals(FrameDescriptor.typeName(type), FrameDescriptor.typeName(header.getInt(4)), text);
        return text;
    }

    private static void readFully(SocketChannel channel, ByteBuffer into) throws IOException {
        while (into.hasRemaining()) {
            if (channel.read(into) < 0) {
                throw new IOException("the bridge closed the connection");
            }
        }
    }

    private void awaitSessions(int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int now;
        do {
            daemonIn.println("STAT");
            now = Integer.parseInt(daemonOut.readLine().substring("STAT ".length()));
            if (now == expected) {
                return;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        assertEquals(expected, now, "sessions in the daemon");
    }

    /** Waits (sessions end before their descriptors close) until the daemon's fds and threads are back. */
    private Snapshot awaitBack(Snapshot base) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Snapshot now;
        do {
            now = Snapshot.of(daemon.pid());
            if (now.fds <= base.fds && now.threads <= base.threads) {
                return now;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        assertTrue(now.fds <= base.fds, "descriptors: " + base.fds + " at the start, " + now.fds + " now");
        assertTrue(now.threads <= base.threads, "threads: " + base.threads + " at the start, " + now.threads + " now");
        return now;
    }

    /** A process's threads, open descriptors and resident memory, from /proc. */
    record Snapshot(int threads, int fds, long rssKib) {
        static Snapshot of(long pid) throws IOException {
            int threads = 0;
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.substring(8).trim());
                } else if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
            int fds;
            try (var list = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                fds = (int) list.count();
            }
            return new Snapshot(threads, fds, rss);
        }

        @Override
        public String toString() {
            return threads + " threads, " + fds + " fds, RSS " + rssKib / 1024 + " MiB";
        }
    }
}
