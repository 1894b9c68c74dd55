package io.ringbus.transport.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.StartPosition;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The exporter's side of the batches ({@link Exporter}), driven pass by pass on this thread into an Aeron IPC
 * publication read back here: the ring waits while the driver has a datagram or more to send; a poll after a quiet
 * pass offers its batch at once; while messages stream in, the last batch of a poll waits one pass for more and is
 * not committed meanwhile (a successor sends it again); and an eviction between two messages ends the batch, so
 * that the next one's from position tells the gap.
 */
@Tag("aeron") // Aeron's client needs the aeron-test execution's JVM flag (see this module's pom)
class ExporterBatchTest {
    private static final String CHANNEL = "aeron:ipc?term-length=64k";
    private static final long WAIT_NANOS = 10_000_000_000L;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment message = arena.allocate(64, 8);
    private Path root;
    private Bus bus;
    private GatewayDriver driver;
    private ExclusivePublication publication;
    private Subscription subscription;
    private Publisher publisher;
    private Route route;
    private long number;
    /** What the exporter is told its publication holds unsent. */
    private long unsent;

    /** A batch as read back: its from position, and each entry's message number and to position. */
    private record Batch(long from, List<Long> numbers, List<Long> tos) {
    }

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createTempDirectory(Path.of("/dev/shm"), "rb-exporter-batch-");
        bus = Bus.open(new BusContext().directory(root));
        driver = GatewayDriver.embedded(root, "exporter-batch", GatewayDriver.DEFAULT_TERM_LENGTH, line -> { });
        publication = driver.aeron().addExclusivePublication(CHANNEL, 1);
        subscription = driver.aeron().addSubscription(CHANNEL, 1);
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!publication.isConnected() || subscription.imageCount() == 0) {
            assertTrue(System.nanoTime() < deadline, "the IPC publication never connected");
            Thread.onSpinWait();
        }
        publisher = bus.newPublisher("t");
        route = Route.of("t", CHANNEL);
    }

    @AfterEach
    void tearDown() throws IOException {
        subscription.close();
        publication.close();
        driver.close();
        bus.close();
        arena.close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    private Exporter openExporter() {
        Exporter exporter = new Exporter(route, publication, () -> 1, () -> unsent, new RouteStats(),
            (from, to, missed) -> { });
        exporter.open(listener -> bus.newSubscriber("t", new TopicConfig(),
            Exporter.configure(new SubscriberConfig().start(StartPosition.EARLIEST), route, listener)), false);
        return exporter;
    }

    private void publish(int count) {
        for (int i = 0; i < count; i++) {
            message.set(ValueLayout.JAVA_LONG, 0, ++number);
            assertTrue(publisher.offer(message, 0, 64) >= 0);
        }
    }

    /** Every batch in the publication now (the exporter offered them on this thread: IPC has them already). */
    private List<Batch> batches() {
        List<Batch> batches = new ArrayList<>();
        subscription.poll((buffer, offset, length, header) -> {
            int count = buffer.getInt(offset + GatewayHeaderDescriptor.COUNT_OFFSET,
                GatewayHeaderDescriptor.BYTE_ORDER);
            long from = buffer.getLong(offset + GatewayHeaderDescriptor.FROM_POSITION_OFFSET,
                GatewayHeaderDescriptor.BYTE_ORDER);
            List<Long> numbers = new ArrayList<>();
            List<Long> tos = new ArrayList<>();
            int entry = offset + GatewayHeaderDescriptor.BATCH_HEADER_LENGTH;
            for (int i = 0; i < count; i++) {
                int payload = buffer.getInt(entry + GatewayHeaderDescriptor.ENTRY_LENGTH_OFFSET,
                    GatewayHeaderDescriptor.BYTE_ORDER);
                tos.add(buffer.getLong(entry + GatewayHeaderDescriptor.ENTRY_TO_POSITION_OFFSET,
                    GatewayHeaderDescriptor.BYTE_ORDER));
                numbers.add(buffer.getLong(entry + GatewayHeaderDescriptor.ENTRY_HEADER_LENGTH,
                    GatewayHeaderDescriptor.BYTE_ORDER));
                entry += GatewayHeaderDescriptor.entryLength(payload);
            }
            batches.add(new Batch(from, numbers, tos));
        }, 100);
        return batches;
    }

    private static List<Long> range(long first, long last) {
        List<Long> numbers = new ArrayList<>();
        for (long n = first; n <= last; n++) {
            numbers.add(n);
        }
        return numbers;
    }

    @Test
    @Timeout(60)
    void whileMessagesStreamInTheLastBatchOfAPollWaitsOnePassForMore() {
        Exporter exporter = openExporter();
        publish(3);
        assertEquals(3, exporter.doWork());
        assertEquals(List.of(range(1, 3)), batches().stream().map(Batch::numbers).toList(),
            "after a quiet pass, a poll's batch goes at once");
        publish(3);
        assertEquals(3, exporter.doWork());
        assertEquals(List.of(), batches(), "the second poll of a stream holds its batch for the next pass");
        publish(3);
        assertEquals(3, exporter.doWork());
        assertEquals(List.of(range(4, 9)), batches().stream().map(Batch::numbers).toList(),
            "the held batch, filled some more, goes at the end of the next pass");
        assertEquals(0, exporter.doWork());
        assertEquals(List.of(), batches());
        exporter.close();
    }

    @Test
    @Timeout(60)
    void whileTheDriverHasADatagramLeftToSendTheRingWaits() {
        Exporter exporter = openExporter();
        unsent = publication.maxPayloadLength() + 32; // one whole datagram, its header too
        publish(3);
        assertEquals(0, exporter.doWork());
        assertEquals(List.of(), batches());
        unsent -= 1;
        assertEquals(3, exporter.doWork(), "less than a datagram left: the exporter reads again");
        assertEquals(List.of(range(1, 3)), batches().stream().map(Batch::numbers).toList());
        exporter.close();
    }

    @Test
    @Timeout(60)
    void aHeldBatchIsNotCommittedSoASuccessorSendsItAgain() {
        Exporter exporter = openExporter();
        publish(3);
        exporter.doWork();
        long afterFirst = batches().getFirst().tos().getLast();
        publish(3);
        exporter.doWork(); // held: delivered, neither offered nor committed
        exporter.close(); // as a kill would leave it
        Exporter successor = openExporter();
        assertEquals(afterFirst, successor.startPosition(), "the successor resumes after what was offered");
        successor.doWork();
        assertEquals(List.of(range(4, 6)), batches().stream().map(Batch::numbers).toList());
        successor.close();
    }

    @Test
    @Timeout(60)
    void anEvictionBetweenTwoMessagesEndsTheBatch() {
        Exporter exporter = openExporter();
        MemorySegment ring = arena.allocate(64, 8);
        ring.set(ValueLayout.JAVA_LONG, 0, 1);
        exporter.onMessage(0, ring, 0, 64);
        ring.set(ValueLayout.JAVA_LONG, 0, 2);
        exporter.onMessage(0, ring, 0, 64);
        exporter.onLoss(1_000, 5_000, 4_000); // as the subscriber tells it, between two messages of one poll
        ring.set(ValueLayout.JAVA_LONG, 0, 3);
        exporter.onMessage(0, ring, 0, 64);
        exporter.doWork();
        List<Batch> batches = batches();
        assertEquals(List.of(range(1, 2), range(3, 3)), batches.stream().map(Batch::numbers).toList(),
            "the message after the gap starts a batch of its own");
        assertEquals(5_000, batches.get(1).from(), "whose from position is where the subscriber resumed");
        exporter.close();
    }
}
