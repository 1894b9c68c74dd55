package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.CorruptRingException;
import io.ringbus.core.Publisher;
import io.ringbus.core.RingBusException;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.os.FilePermissionException;
import io.ringbus.core.os.FileTruncatedException;
import io.ringbus.core.os.FileTypeException;
import io.ringbus.core.topic.TopicDescriptor;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A topic file that is not what ringbus made gives a typed error (a subclass of RingBusException)
 * that names the path, for a publisher and for a subscriber, and never crashes the JVM: wrong
 * magic, truncated, mode 0644, another owner, a symbolic link planted at the path, random bytes.
 * And the case only another process can cause: the file is truncated while publisher and
 * subscriber processes have it mapped; they must end with a typed error and no hs_err file.
 */
class BadTopicFileTest {
    private static final int NOBODY = 65534;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final ProcessFixture fixture = new ProcessFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    private Bus openBus() {
        return Bus.open(new BusContext().directory(fixture.busDir()).defaultCapacity(1 << 16));
    }

    /** Makes a good topic {@code name} (closed again) and returns its path. */
    private Path goodTopic(String name) {
        try (Bus bus = openBus()) {
            bus.newPublisher(name).offer(Messages.encode(0, 0, 1));
        }
        return fixture.topicPath(name);
    }

    /** Both ways of using the topic fail with {@code type}, naming {@code path}. */
    private void assertTypedFailure(String topic, Path path, Class<? extends RingBusException> type) {
        try (Bus bus = openBus()) {
            RingBusException asPublisher = assertThrows(RingBusException.class, () -> bus.newPublisher(topic));
            RingBusException asSubscriber = assertThrows(RingBusException.class,
                () -> bus.newSubscriber(topic, new TopicConfig(), new SubscriberConfig()));
            for (RingBusException e : List.of(asPublisher, asSubscriber)) {
                assertEquals(type, e.getClass(), "exception type; message: " + e.getMessage());
                assertTrue(e.getMessage().contains(path.toString()), "names the path: " + e.getMessage());
            }
            System.out.println("bad file (" + topic + "): " + asPublisher.getMessage());
            // The bus still works for other topics afterwards.
            Publisher publisher = bus.newPublisher("healthy");
            assertTrue(publisher.offer(Messages.encode(0, 0, 1)) >= 0);
        }
    }

    private static void write(Path path, long offset, byte[] bytes) throws Exception {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    @Test
    void wrongMagic() throws Exception {
        Path path = goodTopic("magic");
        write(path, TopicDescriptor.MAGIC_OFFSET, "NOTATOPC".getBytes());
        assertTypedFailure("magic", path, CorruptRingException.class);
    }

    /**
     * A name length past the header's room (here the largest int) is refused as corrupt before anything is sized
     * by it: it once sized an array, and the JVM died of an OutOfMemoryError instead (seen in
     * TruncationWhileOpeningTest, whose opener read the field while the file was rewritten under it).
     */
    @Test
    void aNameLengthPastTheHeader() throws Exception {
        Path path = goodTopic("named");
        write(path, TopicDescriptor.NAME_LENGTH_OFFSET, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder())
            .putInt(0, Integer.MAX_VALUE).array());
        assertTypedFailure("named", path, CorruptRingException.class);
    }

    @Test
    void truncatedBelowTheHeader() throws Exception {
        Path path = goodTopic("short");
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(100);
        }
        assertTypedFailure("short", path, FileTruncatedException.class);
    }

    @Test
    void truncatedToHalf() throws Exception {
        Path path = goodTopic("half");
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(file.length() / 2);
        }
        assertTypedFailure("half", path, CorruptRingException.class);
    }

    @Test
    void modeOpenToOthers() throws Exception {
        Path path = goodTopic("mode");
        Files.setAttribute(path, "unix:mode", 0644);
        assertTypedFailure("mode", path, FilePermissionException.class);
    }

    @Test
    void ownedByAnotherUser() throws Exception {
        Path path = goodTopic("owner");
        Files.setAttribute(path, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
        assertTypedFailure("owner", path, FilePermissionException.class);
    }

    @ParameterizedTest(name = "link to {0}")
    @ValueSource(strings = {"a good topic", "nothing"})
    void symbolicLinkPlantedAtThePath(String target) throws Exception {
        Path elsewhere = fixture.root().resolve("elsewhere");
        Path real = goodTopic("real");
        Path targetPath = elsewhere.resolve("real.topic");
        Files.createDirectories(elsewhere);
        if (target.equals("a good topic")) {
            Files.move(real, targetPath);
        }
        Path link = fixture.topicPath("linked");
        Files.createSymbolicLink(link, targetPath);
        assertTypedFailure("linked", link, FileTypeException.class);
        assertTrue(Files.isSymbolicLink(link), "the link is left alone");
    }

    @Test
    void randomBytes() throws Exception {
        openBus().close();
        Path path = fixture.topicPath("noise");
        byte[] noise = new byte[256 * 1024];
        new Random(42).nextBytes(noise);
        Files.write(path, noise);
        Files.setAttribute(path, "unix:mode", 0600);
        assertTypedFailure("noise", path, CorruptRingException.class);
    }

    @Test
    void randomBytesAfterAGoodHeader() throws Exception {
        Path path = goodTopic("scribbled");
        long length = Files.size(path);
        byte[] noise = new byte[(int) length - TopicDescriptor.PUBLISHER_SLOTS_START];
        new Random(7).nextBytes(noise);
        write(path, TopicDescriptor.PUBLISHER_SLOTS_START, noise);
        assertTypedFailure("scribbled", path, CorruptRingException.class);
    }

    /**
     * A publisher, and a subscriber that waits by spinning: both only load and store in the
     * mapping when they notice the truncation, and must end with a typed error naming the path,
     * and close their bus afterwards without any other error.
     */
    @ParameterizedTest(name = "{0}, truncated to {1} bytes")
    @CsvSource({"publisher, 0", "publisher, 4096", "SPIN subscriber, 0", "SPIN subscriber, 4096"})
    @Timeout(120)
    void truncatedWhileAnotherProcessHasItMapped(String role, int length) throws Exception {
        truncateUnder(role, length);
    }

    /**
     * A bus that has a topic mapped (a bridge with one session on it) and makes another endpoint on it
     * after another process truncated the file: a typed error, not the {@code InternalError} of the
     * faulting access, and the topic is released so that a later endpoint maps it afresh.
     */
    @ParameterizedTest(name = "truncated to {0} bytes")
    @ValueSource(ints = {0, 4096})
    void aNewEndpointOnATopicTruncatedUnderThisBusGetsATypedError(int length) throws Exception {
        try (Bus bus = openBus()) {
            Publisher first = bus.newPublisher("cut");
            assertTrue(first.offer(Messages.encode(0, 0, 1)) >= 0);
            try (RandomAccessFile file = new RandomAccessFile(fixture.topicPath("cut").toFile(), "rw")) {
                file.setLength(length);
            }
            CorruptRingException subscriber = assertThrows(CorruptRingException.class,
                () -> bus.newSubscriber("cut", new TopicConfig(), new SubscriberConfig()));
            String named = "Topic file " + fixture.topicPath("cut").toAbsolutePath() + " is " + length + " bytes now";
            assertTrue(subscriber.getMessage().startsWith(named), subscriber.getMessage());
            assertTrue(subscriber.getMessage().contains("another process truncated it"), subscriber.getMessage());
            assertThrows(CorruptRingException.class, () -> bus.newPublisher("cut"));
        }
    }

    /**
     * The same for subscribers that park. A parked subscriber wakes from its futex (or thread park)
     * slice and takes its wake word back with a compare-and-set on its slot. HotSpot's off-heap
     * compare-and-set (Unsafe_CompareAndSetInt, used while the method is not yet compiled) does not
     * turn a SIGBUS into InternalError as plain loads and stores do (JDK-8320886 fixed the same gap
     * for setMemory only), which crashed the JVM here; ring.Memory now does a guarded plain load of
     * the word before every read-modify-write, so a lost page raises InternalError (a typed error
     * for the user) first, and AtomicsWarmUp has those accessors compiled before the first mapping
     * (interpreted, the way from the load to the atomic instruction is microseconds long; see
     * TruncationUnderAYoungJvmTest).
     */
    @ParameterizedTest(name = "{0}, truncated to {1} bytes")
    @CsvSource({"BLOCKING subscriber, 0", "BLOCKING subscriber, 4096", "SIGNAL subscriber, 0",
        "SIGNAL subscriber, 4096"})
    @Timeout(120)
    void truncatedWhileAParkedSubscriberHasItMapped(String role, int length) throws Exception {
        truncateUnder(role, length);
    }

    private void truncateUnder(String role, int length) throws Exception {
        String dir = fixture.busDir().toString();
        ChildJvm victim;
        ChildJvm publisher;
        if (role.equals("publisher")) {
            publisher = fixture.start("publisher", PublisherMain.class, "--dir", dir, "--topic", "cut",
                "--id", "5", "--commands", "true");
            publisher.awaitLine("READY", TIMEOUT);
            publisher.send("send 10");
            publisher.awaitLine("SENT 10", TIMEOUT);
            victim = publisher;
        } else {
            victim = fixture.start("subscriber", SubscriberMain.class, "--dir", dir, "--topic", "cut",
                "--wakeup", role.split(" ")[0]);
            victim.awaitLine("READY", TIMEOUT);
            publisher = fixture.start("publisher", PublisherMain.class, "--dir", dir, "--topic", "cut",
                "--id", "5", "--commands", "true");
            publisher.awaitLine("READY", TIMEOUT);
            publisher.send("send 10");
            victim.awaitLine("IDLE 10", TIMEOUT);
        }
        Path path = fixture.topicPath("cut");
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(length);
        }
        publisher.send("send 10");
        String error = victim.awaitLine(line -> line.startsWith("ERROR") || line.startsWith("UNTYPED"),
            "an error line", TIMEOUT);
        int exit = victim.awaitExit(TIMEOUT);
        System.out.println("truncated to " + length + " under a " + role + " (exit " + exit + "): " + error);
        assertTrue(error.startsWith("ERROR io.ringbus.core.CorruptRingException: "),
            "a typed error, not " + error + "\n" + victim.describe());
        assertTrue(error.contains(path.toString()), "names the path: " + error);
        assertEquals(List.of(), victim.lines("SUPPRESSED"), "closing the bus afterwards raised nothing");
        assertEquals(ChildSupport.TYPED_ERROR_EXIT, exit, victim.describe());
        assertFalse(victim.errors().contains("A fatal error has been detected"), victim.describe());
        assertEquals(List.of(), fixture.crashReports(), "no JVM crashed");
    }
}
