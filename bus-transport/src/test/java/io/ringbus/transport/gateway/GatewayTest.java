package io.ringbus.transport.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.core.ring.RecordDescriptor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, point 3: two buses (two directories under /dev/shm) joined by two gateways, each in its own JVM
 * ({@link GatewayMain}: the library, as {@code bus gateway} runs it), over loopback UDP. A publisher of bus A (in
 * this JVM) sends numbered messages whose payload is derived from their number; a subscriber of bus B (in this
 * JVM) checks each one: number, length and every byte. What only the CLI does (its exit status and last lines on
 * SIGTERM, {@code bus stat}) is tested in bus-examples.
 */
@Tag("aeron") // with the gateway tests of this module, in the aeron-test execution (see this module's pom)
class GatewayTest {
    private static final String TOPIC = "t";
    private static final Pattern IMPORT_LOSS = Pattern.compile("LOSS import .* source positions (\\d+) to (\\d+) "
        + "never arrived, (\\d+) bytes");
    private static final Pattern UNSURE = Pattern.compile("UNSURE import .* source positions (\\d+) to (\\d+) ");

    private final List<GatewayProcess> gateways = new ArrayList<>();
    private TwoBuses buses;
    private Path root;
    private Bus busA;
    private Bus busB;
    private String channel;

    @BeforeEach
    void setUp() throws IOException {
        buses = TwoBuses.create("rb-aeron-test-");
        root = buses.root();
        busA = buses.a();
        busB = buses.b();
        channel = "aeron:udp?endpoint=localhost:" + TwoBuses.freeUdpPort();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (GatewayProcess gateway : gateways) {
            gateway.close();
        }
        buses.close();
    }

    @Test
    @Timeout(120)
    void twoHundredThousandMessagesArriveCompleteInOrderAndWhole() throws Exception {
        int messages = 200_000;
        Checker checker = new Checker(-1);
        Subscriber subscriber = busB.newSubscriber(TOPIC, new TopicConfig(),
            new SubscriberConfig().start(StartPosition.EARLIEST));
        GatewayProcess exporter = gateway("--dir", root.resolve("a").toString(), "--export", TOPIC + "=" + channel);
        GatewayProcess importer = gateway("--dir", root.resolve("b").toString(), "--import", TOPIC + "=" + channel,
            "--stats-interval", "1s");
        Thread publisher = publish(busA.newPublisher(TOPIC), 0, messages, -1, new AtomicReference<>());
        drain(subscriber, checker, messages, 60);
        publisher.join();
        assertEquals(0, subscriber.poll(checker, 100), "more messages than were published");
        assertEquals(messages, checker.received, "messages received");
        assertEquals(messages - 1, checker.last, "the last message's number");
        String stat = importer.await(line -> line.startsWith("stat import") && line.contains(messages + " messages"),
            30); // the periodic status line counts them too
        assertTrue(stat.contains(" 0 losses") && stat.contains(" 0 repeats"), stat);
        assertEquals(143, exporter.stop(), "the exporting gateway's status on SIGTERM");
    }

    @Test
    @Timeout(120)
    void anExporterKilledAndRestartedRepeatsNothingAndReportsExactlyWhatItLost() throws Exception {
        int messages = 200_000;
        int payload = 48;
        int record = RecordDescriptor.recordLength(payload);
        assertEquals(0, (1 << 20) % record, "fixed records that never pad at the wrap of the default 1 MiB ring");
        Checker checker = new Checker(payload).requiringNotices();
        Subscriber subscriber = busB.newSubscriber(TOPIC, new TopicConfig(),
            new SubscriberConfig().start(StartPosition.EARLIEST));
        String[] exportArgs = {"--dir", root.resolve("a").toString(), "--export", TOPIC + "=" + channel};
        GatewayProcess exporter = gateway(exportArgs);
        GatewayProcess importer = gateway("--dir", root.resolve("b").toString(), "--import", TOPIC + "=" + channel);
        Thread publisher = publish(busA.newPublisher(TOPIC), 0, messages, payload, new AtomicReference<>());
        for (int kill = 1; kill <= 2; kill++) {
            drain(subscriber, checker, messages * kill / 3, 60);
            exporter.kill();
            exporter = gateway(exportArgs);
            // Its own line, wherever Aeron's asynchronous lines put it.
            Matcher resumed = Pattern.compile("^export .* from position (\\d+)").matcher(exporter.await(
                line -> line.startsWith("export "), 10));
            assertTrue(resumed.find() && Long.parseLong(resumed.group(1)) > 0, "the restarted exporter resumes where"
                + " its predecessor committed: " + exporter.lines());
        }
        // Every hop is tethered: the publisher finishes only while bus B is read (what the rings and Aeron's
        // window hold is less than the last third).
        long publishing = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (publisher.isAlive()) {
            assertTrue(System.nanoTime() < publishing, "the publisher never finished: " + exporter.lines());
            subscriber.await(checker, 256, 100_000_000L);
        }
        // Everything still to come arrives: wait until the received messages and the reported losses cover all.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long lostMessages = 0;
        while (System.nanoTime() < deadline) {
            subscriber.await(checker, 256, 100_000_000L);
            lostMessages = lostBytes(importer) / record;
            if (checker.received + lostMessages >= messages) {
                break;
            }
        }
        assertEquals(0, lostBytes(importer) % record, "losses are whole records: " + importer.lines());
        assertEquals(messages, checker.received + lostMessages, "received " + checker.received + " and lost "
            + lostMessages + " (each LOSS line names its range): " + importer.lines());
        assertEquals(messages - 1, checker.last, "the last message arrived");
        assertEquals(lostMessages, checker.skipped, "every message missing in the sequence is in a LOSS range");
        assertEquals(0, subscriber.poll(checker, 100), "more messages than were published");
        assertEquals(lostBytes(importer), checker.noticedBytes, "the topic's loss notices name what the LOSS lines do");
        System.out.printf("gateway kill -9 x2: %d received, %d lost (in LOSS lines), 0 repeated%n",
            checker.received, lostMessages);
    }

    @Test
    @Timeout(120)
    void anImporterKilledAndRestartedRepeatsNothingAndReportsExactlyWhatItLost() throws Exception {
        int messages = 200_000;
        int payload = 48;
        int record = RecordDescriptor.recordLength(payload);
        Checker checker = new Checker(payload);
        Subscriber subscriber = busB.newSubscriber(TOPIC, new TopicConfig(),
            new SubscriberConfig().start(StartPosition.EARLIEST));
        gateway("--dir", root.resolve("a").toString(), "--export", TOPIC + "=" + channel);
        String[] importArgs = {"--dir", root.resolve("b").toString(), "--import", TOPIC + "=" + channel};
        List<GatewayProcess> importers = new ArrayList<>(List.of(gateway(importArgs)));
        Thread publisher = publish(busA.newPublisher(TOPIC), 0, messages, payload, new AtomicReference<>());
        // Bus B is read all along, so that the importer is killed while messages are in flight.
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread drainer = Thread.ofPlatform().name("bus-b-subscriber").start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted() && checker.last < messages - 1) {
                    subscriber.await(checker, 256, 50_000_000L);
                }
            } catch (RuntimeException | Error e) {
                failure.set(e);
            }
        });
        for (int kill = 1; kill <= 2; kill++) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (checker.received < messages * kill / 3 && failure.get() == null) {
                assertTrue(System.nanoTime() < deadline, "only " + checker.received + " arrived");
                Thread.sleep(1);
            }
            importers.getLast().kill();
            importers.add(gateway(importArgs));
            // Its own line, wherever the image's "connected to" (logged by Aeron's conductor thread) comes.
            assertTrue(importers.getLast().lines().stream().anyMatch(line -> line.startsWith("import ")
                && line.contains("from source position")), "the restarted importer goes on from where its"
                + " predecessor stopped: " + importers.getLast().lines());
        }
        drainer.join(TimeUnit.SECONDS.toMillis(60));
        drainer.interrupt();
        drainer.join();
        publisher.join();
        assertEquals(null, failure.get());
        long lostMessages = lostBytes(importers) / record;
        long unsure = unsureMessages(importers, record);
        assertEquals(0, lostBytes(importers) % record, "losses are whole records: " + importers.getLast().lines());
        assertEquals(messages - 1, checker.last, "the last message arrived");
        assertTrue(checker.skipped >= lostMessages && checker.skipped <= lostMessages + unsure, "every message"
            + " missing is in a LOSS range (or an UNSURE one): skipped " + checker.skipped + ", LOSS " + lostMessages
            + ", UNSURE " + unsure + ": " + importers.stream().map(GatewayProcess::lines).toList());
        assertEquals(0, subscriber.poll(checker, 100), "more messages than were published");
        System.out.printf("importer kill -9 x2: %d received, %d lost (in LOSS lines), %d unsure, 0 repeated%n",
            checker.received, lostMessages, unsure);
    }

    @Test
    @Timeout(120)
    void aLinkThatGoesAwayAndComesBackReconnectsByItself() throws Exception {
        int messages = 60_000;
        int payload = 48;
        int record = RecordDescriptor.recordLength(payload);
        // Short Aeron timeouts (the defaults are 5 s and 10 s), so that the link is declared gone within the test.
        List<String> quick = List.of("-Daeron.publication.connection.timeout=1000000000",
            "-Daeron.image.liveness.timeout=1000000000");
        Checker checker = new Checker(payload).requiringNotices();
        Subscriber subscriber = busB.newSubscriber(TOPIC, new TopicConfig(),
            new SubscriberConfig().start(StartPosition.EARLIEST));
        GatewayProcess exporter = gateways(quick, "--dir", root.resolve("a").toString(), "--export",
            TOPIC + "=" + channel, "--stats-interval", "100ms");
        GatewayProcess importer = gateways(quick, "--dir", root.resolve("b").toString(), "--import",
            TOPIC + "=" + channel);
        Thread publisher = publish(busA.newPublisher(TOPIC), 0, messages, payload, new AtomicReference<>());
        drain(subscriber, checker, messages / 3, 60);
        int beforeStop = exporter.lines().size();
        importer.signal(true); // the far side stops answering: the exporter's publication is left unconnected
        exporter.awaitFrom(beforeStop, line -> line.startsWith("stat export") && line.endsWith("not connected"), 30);
        int disconnected = exporter.lines().size();
        importer.signal(false);
        exporter.awaitFrom(disconnected, line -> line.startsWith("stat export") && line.endsWith(", connected"), 30);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (checker.last < messages - 1) {
            assertTrue(System.nanoTime() < deadline, "after the reconnection only " + checker.received + " arrived: "
                + importer.lines());
            subscriber.await(checker, 256, 100_000_000L);
        }
        publisher.join();
        long lost = lostBytes(importer) / record;
        assertEquals(lost, checker.skipped, "every missing message is in a LOSS range: " + importer.lines());
        assertEquals(messages, checker.received + lost, "received and reported lost add up: " + importer.lines());
        assertEquals(lostBytes(importer), checker.noticedBytes, "the topic's loss notices name what the LOSS lines do");
        System.out.printf("link away and back: %d received, %d lost (in LOSS lines)%n", checker.received, lost);
    }

    @Test
    @Timeout(120)
    void anEvictableExporterLetsPublishersGoOnAndTheImporterReportsTheLoss() throws Exception {
        int messages = 100_000; // six rings of 64-byte records
        int payload = 48;
        Checker checker = new Checker(payload).requiringNotices();
        Subscriber reader = busB.newSubscriber(TOPIC, new TopicConfig(),
            new SubscriberConfig().start(StartPosition.EARLIEST));
        Subscriber stalled = busB.newSubscriber(TOPIC, new TopicConfig(),
            new SubscriberConfig().start(StartPosition.EARLIEST)); // never polls: holds the importer back
        GatewayProcess exporter = gateway("--dir", root.resolve("a").toString(), "--export", TOPIC + "=" + channel,
            "--evictable", "--evict-after", "300");
        GatewayProcess importer = gateway("--dir", root.resolve("b").toString(), "--import", TOPIC + "=" + channel);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long started = System.nanoTime();
        Thread publisher = publish(busA.newPublisher(TOPIC), 0, messages, payload, failure);
        Thread drainer = Thread.ofPlatform().start(() -> {
            while (!Thread.currentThread().isInterrupted() && checker.last < messages - 1) {
                reader.await(checker, 256, 50_000_000L);
            }
        });
        publisher.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(publisher.isAlive(), "the publisher on bus A was held back by the stalled importer");
        double seconds = (System.nanoTime() - started) / 1e9;
        stalled.close(); // the importer may go on now, and so the exporter, which then learns it was evicted
        exporter.await(line -> line.startsWith("LOSS export"), 30);
        importer.await(line -> IMPORT_LOSS.matcher(line).find(), 30);
        drainer.join(TimeUnit.SECONDS.toMillis(30));
        drainer.interrupt();
        drainer.join();
        assertEquals(null, failure.get());
        assertEquals(messages - 1, checker.last, "the last message arrived");
        assertTrue(checker.skipped > 0, "messages were lost, and said so: " + importer.lines());
        long lost = lostBytes(importer) / RecordDescriptor.recordLength(payload);
        assertEquals(lost, checker.skipped, "every missing message is in a LOSS range: " + importer.lines());
        assertEquals(lostBytes(importer), checker.noticedBytes, "the topic's loss notices name what the LOSS lines do");
        System.out.printf("evictable exporter: the publisher finished in %.1f s; %d received, %d lost%n", seconds,
            checker.received, checker.skipped);
    }

    private GatewayProcess gateways(List<String> jvmOptions, String... args) throws Exception {
        GatewayProcess gateway = GatewayProcess.start(jvmOptions, args);
        gateways.add(gateway);
        return gateway;
    }

    private GatewayProcess gateway(String... args) throws Exception {
        GatewayProcess gateway = GatewayProcess.start(args);
        gateways.add(gateway);
        return gateway;
    }

    private static long lostBytes(GatewayProcess importer) {
        return lostBytes(List.of(importer));
    }

    /** LOSS bytes reported by every one of {@code importers}. */
    private static long lostBytes(List<GatewayProcess> importers) {
        long bytes = 0;
        for (String line : importers.stream().flatMap(importer -> importer.lines().stream()).toList()) {
            Matcher matcher = IMPORT_LOSS.matcher(line);
            if (matcher.find()) {
                bytes += Long.parseLong(matcher.group(3));
            }
        }
        return bytes;
    }

    /** Messages an importer could not tell whether its killed predecessor published ("UNSURE import" lines). */
    private static long unsureMessages(List<GatewayProcess> importers, int record) {
        long bytes = 0;
        for (String line : importers.stream().flatMap(importer -> importer.lines().stream()).toList()) {
            Matcher matcher = UNSURE.matcher(line);
            if (matcher.find()) {
                bytes += Long.parseLong(matcher.group(2)) - Long.parseLong(matcher.group(1));
            }
        }
        return bytes / record;
    }

    /** Publishes messages first..first+count-1; each is its number, then bytes derived from it. */
    private static Thread publish(Publisher publisher, long first, int count, int fixedLength,
        AtomicReference<Throwable> failure) {
        return Thread.ofPlatform().name("bus-a-publisher").start(() -> {
            try {
                for (long n = first; n < first + count; n++) {
                    int length = fixedLength >= 0 ? fixedLength : lengthOf(n);
                    long position;
                    while ((position = publisher.tryClaim(length)) < 0) {
                        Thread.onSpinWait();
                    }
                    MemorySegment buffer = publisher.buffer();
                    long at = publisher.payloadOffset(position);
                    buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, at, n);
                    for (int i = 8; i < length; i++) {
                        buffer.set(ValueLayout.JAVA_BYTE, at + i, byteOf(n, i));
                    }
                    publisher.commit(position);
                }
            } catch (RuntimeException | Error e) {
                failure.set(e);
            } finally {
                publisher.close();
            }
        });
    }

    static int lengthOf(long n) {
        return 8 + (int) (n % 200);
    }

    static byte byteOf(long n, int i) {
        return (byte) (n * 31 + i);
    }

    private static void drain(Subscriber subscriber, Checker checker, long count, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (checker.received < count) {
            assertTrue(System.nanoTime() < deadline, "only " + checker.received + " of " + count + " arrived");
            subscriber.await(checker, 256, 100_000_000L);
        }
    }

    /** Checks numbers strictly increase (in order, no repeat), counts what is skipped, and checks every byte. */
    private static final class Checker implements MessageHandler {
        private final int fixedLength;
        volatile long received; // read by the test's thread while another one polls
        volatile long last = -1;
        long skipped;
        /** Whether a gap must come right after a loss notice (not where a kill leaves an UNSURE message). */
        boolean requireNotices;
        /** Bytes the importer's in-band loss notices named. */
        volatile long noticedBytes;
        private boolean noticeSinceLastMessage;

        Checker(int fixedLength) {
            this.fixedLength = fixedLength;
        }

        Checker requiringNotices() {
            requireNotices = true;
            return this;
        }

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            if (typeId == Importer.LOSS_NOTICE_TYPE) {
                String text = new String(buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE),
                    java.nio.charset.StandardCharsets.US_ASCII);
                Matcher notice = Pattern.compile("LOSS from=(\\d+) to=(\\d+) bytes=(\\d+)").matcher(text);
                if (!notice.matches()) {
                    throw new AssertionError("a loss notice that does not say what was lost: " + text);
                }
                noticedBytes += Long.parseLong(notice.group(3));
                noticeSinceLastMessage = true;
                return;
            }
            long n = buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
            if (requireNotices && last >= 0 && n > last + 1 && !noticeSinceLastMessage) {
                throw new AssertionError("messages " + (last + 1) + " to " + (n - 1) + " are missing with no loss"
                    + " notice in the topic before message " + n);
            }
            noticeSinceLastMessage = false;
            if (n <= last) {
                throw new AssertionError("message " + n + " after " + last + ": a repeat or out of order");
            }
            int expected = fixedLength >= 0 ? fixedLength : lengthOf(n);
            if (length != expected) {
                throw new AssertionError("message " + n + " has " + length + " bytes, not " + expected);
            }
            for (int i = 8; i < length; i++) {
                if (buffer.get(ValueLayout.JAVA_BYTE, offset + i) != byteOf(n, i)) {
                    throw new AssertionError("message " + n + " differs at byte " + i);
                }
            }
            skipped += n - last - 1;
            last = n;
            received++;
        }
    }
}
