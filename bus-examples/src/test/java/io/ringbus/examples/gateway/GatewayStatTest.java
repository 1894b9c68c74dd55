package io.ringbus.examples.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.examples.cli.BusCommand;
import io.ringbus.transport.gateway.GatewayProcess;
import io.ringbus.transport.gateway.Route;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * Issue 15, point 6: {@code bus stat} shows each gateway's routes: direction, topic, channel, stream, the other
 * side's liveness, bytes/s, messages, losses and the media driver's NAK and retransmission counts; a gateway
 * stopped cleanly disappears, one killed shows as dead.
 */
class GatewayStatTest {
    /** {@code bus gateway}: these tests are of the CLI (bus-transport's GatewayTest runs the library alone). */
    private static final GatewayProcess.Main CLI = GatewayProcess.cli(BusCommand.class.getName());
    private final List<GatewayProcess> gateways = new ArrayList<>();
    private Path root;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createTempDirectory(Path.of("/dev/shm"), "rb-aeron-stat-");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (GatewayProcess gateway : gateways) {
            gateway.close();
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    @Test
    @Timeout(120)
    void statShowsEveryRouteWithItsChannelLivenessAndCounters() throws Exception {
        String channel = "aeron:udp?endpoint=localhost:" + freeUdpPort();
        String busA = root.resolve("a").toString();
        String busB = root.resolve("b").toString();
        GatewayProcess exporter = start("--dir", busA, "--export", "quotes=" + channel);
        GatewayProcess importer = start("--dir", busB, "--import", "quotes=" + channel);
        try (Bus bus = Bus.open(new BusContext().directory(Path.of(busA)));
            Publisher publisher = bus.newPublisher("quotes")) {
            for (int i = 0; i < 1000; i++) {
                while (publisher.offer(("quote " + i).getBytes()) < 0) {
                    Thread.onSpinWait();
                }
            }
        }
        String routeA = awaitStat(busA, out -> out.contains(" 1000 "));
        String routeB = awaitStat(busB, out -> out.contains(" 1000 ") && out.contains("connected 127.0.0.1:"));
        int stream = Route.streamIdOf("quotes");
        for (String out : List.of(routeA, routeB)) {
            assertTrue(out.contains("gateway gateway  pid ") && out.contains("  alive  "), out);
            assertTrue(out.contains("ROUTE") && out.contains("NAKS") && out.contains("RETRANSMITS"), out);
            assertTrue(out.contains(channel) && out.contains(" " + stream + " "), out);
            assertTrue(out.contains(" 0(0) "), "no losses: " + out);
        }
        assertTrue(routeA.contains("export quotes") && routeA.contains(" connected ")
            && routeA.contains(" retransmits"), routeA);
        assertTrue(routeB.contains("import quotes") && routeB.contains(" gap fills"), routeB);
        String json = stat(busB, "--json");
        // NAKs are Aeron's business: a burst can overflow a loopback socket's buffer, and the importer then asks
        // for a retransmission (21 NAKs once in a quiet ./bus test). What ringbus promises is no loss, above.
        assertTrue(json.contains("\"gateways\":[{\"name\":\"gateway\"") && json.contains("\"direction\":\"import\"")
            && json.contains("\"messages\":1000") && json.matches("(?s).*\"naks\":\\d+,.*")
            && json.contains("\"losses\":0,") && json.contains("\"connected\":true"), json);

        assertEquals(143, exporter.stop());
        String stopped = awaitStat(busA, out -> !out.contains("gateway gateway"));
        assertFalse(stopped.contains("export quotes"), "a gateway stopped cleanly leaves no status: " + stopped);
        importer.kill();
        String killed = stat(busB);
        assertTrue(killed.contains("gateway gateway") && killed.contains("  dead (its last status"),
            "a gateway killed with kill -9 shows as dead: " + killed);
    }

    private GatewayProcess start(String... args) throws Exception {
        GatewayProcess gateway = GatewayProcess.start(CLI, List.of(), List.of(), args);
        gateways.add(gateway);
        return gateway;
    }

    /** Runs {@code bus stat} until its output passes {@code test} (a status file is written every second). */
    private static String awaitStat(String bus, Predicate<String> test) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String out;
        while (!test.test(out = stat(bus))) {
            assertTrue(System.nanoTime() < deadline, "bus stat never showed what was expected: " + out);
            Thread.sleep(200);
        }
        return out;
    }

    private static String stat(String bus, String... more) {
        StringWriter out = new StringWriter();
        CommandLine command = BusCommand.newCommandLine(new ByteArrayInputStream(new byte[0]));
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(out, true));
        List<String> args = new ArrayList<>(List.of("stat", "--dir", bus));
        args.addAll(List.of(more));
        int status = command.execute(args.toArray(String[]::new));
        assertEquals(0, status, out.toString());
        return out.toString();
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
