package io.ringbus.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.examples.cli.BusCommand;
import io.ringbus.transport.gateway.GatewayProcess;
import io.ringbus.transport.gateway.TwoBuses;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * Issue 15, point 4: 1,000,000 messages across a network that loses 5% of the datagrams each way, delays them
 * 10 ms and reorders a quarter of them arrive complete, in order, with no duplicate (Aeron retransmits).
 *
 * <p>Two ways to make that network: two network namespaces joined by a veth pair with {@code tc netem}, built by
 * {@code bus-examples/scripts/two-hosts.sh} (needs root, {@code ip netns} and the sch_netem kernel module:
 * skipped with the reason otherwise); and a UDP relay on loopback ({@link LossyUdpRelay}) that does the same in
 * user space, which runs everywhere. The netem arguments can be changed with {@code -Dringbus.test.netem=...}
 * ("none" checks the namespace plumbing alone).
 */
class GatewayNetworkTest {
    /** {@code bus gateway}: these tests are of the CLI (bus-transport's GatewayTest runs the library alone). */
    private static final GatewayProcess.Main CLI = GatewayProcess.cli(BusCommand.class.getName());
    private static final String TOPIC = "n";
    private static final int MESSAGES = 1_000_000;
    private static final int PAYLOAD = 16;
    private static final Path SCRIPT = Path.of(System.getProperty("basedir", "."), "scripts", "two-hosts.sh");
    private static final String NETEM = System.getProperty("ringbus.test.netem", "delay 10ms reorder 25% 50% loss 5%");
    /** A window for a 20 ms round trip: the default 128 KiB would allow ~6 MB/s. */
    private static final List<String> WAN = List.of("-Daeron.rcv.initial.window.length=2m",
        "-Daeron.socket.so_rcvbuf=2m", "-Daeron.socket.so_sndbuf=2m");

    private final List<GatewayProcess> gateways = new ArrayList<>();
    private TwoBuses buses;
    private Path root;
    private Bus busA;
    private Bus busB;
    private String namespaces;

    @BeforeEach
    void setUp() throws IOException {
        buses = TwoBuses.create("rb-aeron-net-");
        root = buses.root();
        busA = buses.a();
        busB = buses.b();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (GatewayProcess gateway : gateways) {
            gateway.close();
        }
        if (namespaces != null) {
            script("down", namespaces); // whatever happened above
        }
        buses.close();
    }

    @Test
    @Timeout(180)
    void aMillionMessagesCrossALossyDelayingReorderingRelayCompleteInOrderOnce() throws Exception {
        int port = TwoBuses.freeUdpPort();
        try (LossyUdpRelay relay = new LossyUdpRelay(new InetSocketAddress("127.0.0.1", port), 0.05, 0.25,
            TimeUnit.MILLISECONDS.toNanos(10), 15)) {
            String into = "aeron:udp?endpoint=127.0.0.1:";
            long seconds = transfer(List.of(), into + relay.port(), List.of(), into + port);
            System.out.printf("lossy relay: %,d messages in %d s, %,d datagrams relayed, %,d dropped (%.1f%%)%n",
                MESSAGES, seconds, relay.relayed(), relay.dropped(),
                100.0 * relay.dropped() / (relay.relayed() + relay.dropped()));
            assertTrue(relay.dropped() > 0, "the relay dropped datagrams");
            // bus stat shows the driver's counters of that recovery: NAKs sent by B, received and answered by A.
            String statA = stat(root.resolve("a"));
            String statB = stat(root.resolve("b"));
            System.out.println("bus stat --json of the importing bus: " + statB);
            assertTrue(counter(statB, "naks") > 0, "the importer's NAKs: " + statB);
            assertTrue(counter(statA, "naks") > 0 && counter(statA, "retransmits") > 0, "the exporter's NAKs and"
                + " retransmissions: " + statA);
        }
    }

    @Test
    @Timeout(180)
    void aMillionMessagesCrossTwoNetworkNamespacesUnderNetemCompleteInOrderOnce() throws Exception {
        assumeTrue(Files.isExecutable(SCRIPT), "no " + SCRIPT);
        String name = "rbgw" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30, 1L << 35), 36);
        List<String> up = new ArrayList<>(List.of("up", name));
        if (!NETEM.equals("none")) {
            up.addAll(Arrays.asList(NETEM.split(" ")));
        } else {
            up.add("none");
        }
        Result created = script(up.toArray(String[]::new));
        if (created.status() == 0) {
            namespaces = name;
        } else {
            script("down", name);
        }
        String reason = "two network namespaces under netem cannot be built here: two-hosts.sh up said: "
            + created.output().strip().replace('\n', ' ');
        if (created.status() != 0) {
            System.out.println("skipped: " + reason);
        }
        assumeTrue(created.status() == 0, reason);
        int port = TwoBuses.freeUdpPort();
        String channel = "aeron:udp?endpoint=10.77.0.2:" + port;
        long seconds = transfer(List.of(SCRIPT.toString(), "run", "a", name), channel,
            List.of(SCRIPT.toString(), "run", "b", name), channel);
        System.out.printf("namespaces under netem %s: %,d messages in %d s%n", NETEM, MESSAGES, seconds);
    }

    /** Sends the messages from bus A through two gateways to bus B and checks them; returns the seconds taken. */
    private long transfer(List<String> exportPrefix, String exportChannel, List<String> importPrefix,
        String importChannel) throws Exception {
        Subscriber subscriber = busB.newSubscriber(TOPIC, new TopicConfig(),
            new SubscriberConfig().start(StartPosition.EARLIEST));
        GatewayProcess importer = start(importPrefix, "--dir", root.resolve("b").toString(), "--import",
            TOPIC + "=" + importChannel);
        start(exportPrefix, "--dir", root.resolve("a").toString(), "--export", TOPIC + "=" + exportChannel);
        long started = System.nanoTime();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread publisher = publish(busA.newPublisher(TOPIC), failure);
        Sequence sequence = new Sequence();
        long deadline = started + TimeUnit.SECONDS.toNanos(120);
        while (sequence.next < MESSAGES) {
            assertTrue(System.nanoTime() < deadline, "only " + sequence.next + " of " + MESSAGES + " arrived in 120"
                + " s: " + importer.lines());
            subscriber.await(sequence, 1024, 100_000_000L);
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        publisher.join();
        assertEquals(null, failure.get());
        assertEquals(0, subscriber.poll(sequence, 100), "more messages than were published");
        assertTrue(importer.lines().stream().noneMatch(line -> line.startsWith("LOSS")), importer.lines().toString());
        return seconds;
    }

    private GatewayProcess start(List<String> prefix, String... args) throws Exception {
        GatewayProcess gateway = GatewayProcess.start(CLI, prefix, WAN, args);
        gateways.add(gateway);
        return gateway;
    }

    private static Thread publish(Publisher publisher, AtomicReference<Throwable> failure) {
        return Thread.ofPlatform().name("bus-a-publisher").start(() -> {
            try (publisher) {
                for (long n = 0; n < MESSAGES; n++) {
                    long position;
                    while ((position = publisher.tryClaim(PAYLOAD)) < 0) {
                        Thread.onSpinWait();
                    }
                    long at = publisher.payloadOffset(position);
                    publisher.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, at, n);
                    publisher.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, at + 8, ~n * 31);
                    publisher.commit(position);
                }
            } catch (RuntimeException | Error e) {
                failure.set(e);
            }
        });
    }

    /** Every message is the next number, whole: complete, in order, once. */
    private static final class Sequence implements MessageHandler {
        long next;

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            long n = buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
            if (n != next || length != PAYLOAD || buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8) != ~n * 31) {
                throw new AssertionError("expected message " + next + " of " + PAYLOAD + " bytes, got " + n + " of "
                    + length + (n < next ? " (a repeat or out of order)" : n > next ? " (a gap)" : " (bytes differ)"));
            }
            next++;
        }
    }

    private static String stat(Path bus) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            StringWriter out = new StringWriter();
            CommandLine command = BusCommand.newCommandLine(new ByteArrayInputStream(new byte[0]));
            command.setOut(new PrintWriter(out, true));
            assertEquals(0, command.execute("stat", "--json", "--dir", bus.toString()));
            if (out.toString().contains("\"messages\":" + MESSAGES) || System.nanoTime() > deadline) {
                return out.toString(); // the status file is a second old at most
            }
            Thread.sleep(200);
        }
    }

    private static long counter(String json, String name) {
        Matcher matcher = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        assertTrue(matcher.find(), name + " in " + json);
        return Long.parseLong(matcher.group(1));
    }

    private record Result(int status, String output) {
    }

    private static Result script(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

}
