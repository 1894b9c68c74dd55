package io.ringbus.core;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.ring.MessageHandler;
import io.ringbus.core.topic.TopicDescriptor;
import io.ringbus.core.topic.TopicFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Topics created with {@link TopicConfig#timestamps(boolean)}: every way of publishing stamps each message
 * with its publish time, every kind of subscriber reads it and gets the message without it, the maximum
 * message length accounts for it, a mismatch is a typed error, version 1 files are refused, and the steady
 * state allocates nothing.
 */
class TimestampedTopicTest {
    private static final int CAPACITY = 1 << 16;

    private Path directory;
    private Bus bus;

    @BeforeEach
    void open() throws Exception {
        directory = Files.createTempDirectory(Path.of("/dev/shm"), "ringbus-ts-test-").resolve("bus");
        bus = Bus.open(new BusContext().directory(directory).defaultCapacity(CAPACITY));
    }

    @AfterEach
    void close() throws Exception {
        bus.close();
        try (var files = Files.walk(directory.getParent())) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static TopicConfig stamped() {
        return new TopicConfig().timestamps(true);
    }

    /** A message as received: its bytes and the publish time read inside the handler. */
    private record Received(byte[] bytes, long publishTime) {
    }

    private static List<Received> drain(Subscriber subscriber) {
        List<Received> received = new ArrayList<>();
        while (subscriber.poll((type, buffer, offset, length) -> received.add(new Received(
            buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), subscriber.publishTime())), 100) > 0) {
            // until empty
        }
        return received;
    }

    private static byte[] message(int i) {
        byte[] bytes = new byte[1 + i % 40];
        Arrays.fill(bytes, (byte) ('a' + i % 26));
        return bytes;
    }

    @Test
    void everyWayOfPublishingStampsAndEverySubscriberStripsIt() {
        List<Subscriber> subscribers = List.of(
            bus.newSubscriber("t", stamped(), new SubscriberConfig()),
            bus.newSubscriber("t", stamped(), new SubscriberConfig().slowConsumerPolicy(SlowConsumerPolicy.EVICT)),
            bus.newSubscriber("t", stamped(), new SubscriberConfig().durableName("d")),
            bus.newSubscriber("t", stamped(), new SubscriberConfig().durableName("e").explicitCommit(true)));
        Publisher publisher = bus.newPublisher("t", stamped());
        long before = System.currentTimeMillis() * 1_000_000L;
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            byte[] bytes = message(i);
            sent.add(bytes);
            long position = switch (i % 3) {
                case 0 -> publisher.offer(bytes);
                case 1 -> publisher.offer(MemorySegment.ofArray(bytes), 0, bytes.length);
                default -> {
                    long claimed = publisher.tryClaim(bytes.length);
                    MemorySegment.copy(bytes, 0, publisher.buffer(), ValueLayout.JAVA_BYTE,
                        publisher.payloadOffset(claimed), bytes.length);
                    publisher.commit(claimed);
                    yield claimed;
                }
            };
            assertTrue(position >= 0, "offer " + i + ": " + position);
        }
        byte[] batch = new byte[3 + 5 + 7];
        Arrays.fill(batch, (byte) 'z');
        assertTrue(publisher.offerBatch(MemorySegment.ofArray(batch), 0, new int[] {3, 5, 7, 99}, 3) >= 0);
        sent.add(new byte[] {'z', 'z', 'z'});
        sent.add(new byte[] {'z', 'z', 'z', 'z', 'z'});
        sent.add(new byte[] {'z', 'z', 'z', 'z', 'z', 'z', 'z'});
        long after = System.currentTimeMillis() * 1_000_000L + 1_000_000L;
        for (Subscriber subscriber : subscribers) {
            List<Received> received = drain(subscriber);
            assertEquals(sent.size(), received.size());
            long previous = Long.MIN_VALUE;
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), received.get(i).bytes(), "message " + i);
                long time = received.get(i).publishTime();
                assertTrue(time >= before && time <= after, "publish time " + time + " outside [" + before + ", "
                    + after + "]");
                assertTrue(time >= previous, "publish times in publishing order (one thread, one clock)");
                previous = time;
            }
            assertEquals(previous, subscriber.publishTime(), "after the poll: the last message's time");
        }
    }

    @Test
    void aTopicWithoutTimestampsHasNone() {
        Subscriber subscriber = bus.newSubscriber("plain");
        Publisher publisher = bus.newPublisher("plain");
        assertEquals(CAPACITY / 8, publisher.maxMessageLength());
        publisher.offer(new byte[] {1, 2, 3});
        List<Received> received = drain(subscriber);
        assertEquals(1, received.size());
        assertArrayEquals(new byte[] {1, 2, 3}, received.getFirst().bytes());
        assertEquals(Subscriber.NO_PUBLISH_TIME, received.getFirst().publishTime());
    }

    @Test
    void theMaximumMessageLengthMakesRoomForThePublishTime() {
        Publisher byDefault = bus.newPublisher("default", stamped());
        assertEquals(CAPACITY / 8 - TopicConfig.TIMESTAMP_LENGTH, byDefault.maxMessageLength());
        assertEquals(byDefault.maxMessageLength(), bus.maxMessageLength("default"));
        Subscriber subscriber = bus.newSubscriber("default", stamped(), new SubscriberConfig());
        assertTrue(byDefault.offer(new byte[byDefault.maxMessageLength()]) >= 0);
        assertThrows(IllegalArgumentException.class, () -> byDefault.offer(new byte[byDefault.maxMessageLength() + 1]));
        assertThrows(IllegalArgumentException.class, () -> byDefault.tryClaim(byDefault.maxMessageLength() + 1));
        assertEquals(CAPACITY / 8 - TopicConfig.TIMESTAMP_LENGTH, drain(subscriber).getFirst().bytes().length);

        Publisher set = bus.newPublisher("set", stamped().maxMessageLength(100));
        assertEquals(100, set.maxMessageLength());
        bus.newSubscriber("set", new TopicConfig().maxMessageLength(100).timestamps(true), new SubscriberConfig());

        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
            () -> bus.newPublisher("long", stamped().maxMessageLength(CAPACITY / 8)));
        assertTrue(tooLong.getMessage().contains("set at most " + (CAPACITY / 8 - 8)), tooLong.getMessage());
        assertFalse(Files.exists(directory.resolve("long.topic")));
    }

    @Test
    void aTopicOfTheOtherKindIsATypedError() {
        bus.newPublisher("plain", new TopicConfig());
        TopicMismatchException stampedRequired = assertThrows(TopicMismatchException.class,
            () -> bus.newSubscriber("plain", stamped(), new SubscriberConfig()));
        assertTrue(stampedRequired.getMessage().contains("timestamps is false, required true"),
            stampedRequired.getMessage());
        bus.newPublisher("stamped", stamped());
        try (Bus other = Bus.open(new BusContext().directory(directory))) {
            TopicMismatchException plainRequired = assertThrows(TopicMismatchException.class,
                () -> other.newPublisher("stamped", new TopicConfig().timestamps(false)));
            assertTrue(plainRequired.getMessage().contains("timestamps is true, required false"),
                plainRequired.getMessage());
            other.newPublisher("stamped", new TopicConfig()); // no requirement: any topic of the name
        }
        assertEquals("true", stamped().requirements().get("timestamps"));
        TopicConfig parsed = new TopicConfig();
        assertTrue(parsed.set("timestamps", "true"));
        assertEquals(stamped().requirements(), parsed.requirements());
    }

    @Test
    void aFileOfLayoutVersionOneIsRefusedAndSaysWhy() throws Exception {
        bus.newPublisher("old").close();
        bus.close();
        Path file = directory.resolve("old.topic");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            MemorySegment header = channel.map(FileChannel.MapMode.READ_WRITE, 0, 4096, arena);
            header.set(ValueLayout.JAVA_INT, TopicDescriptor.VERSION_OFFSET, 1);
        }
        bus = Bus.open(new BusContext().directory(directory));
        CorruptRingException e = assertThrows(CorruptRingException.class, () -> bus.newSubscriber("old"));
        assertTrue(e.getMessage().contains("layout version 1 (an older ringbus made it); this ringbus reads version "
            + TopicDescriptor.LAYOUT_VERSION), e.getMessage());
        assertTrue(e.getMessage().contains("Remove the file"), e.getMessage());
    }

    @Test
    void aRecordWithNoRoomForATimeIsATypedError() {
        Subscriber subscriber = bus.newSubscriber("t", stamped(), new SubscriberConfig());
        try (TopicFile topic = TopicFile.tryOpen(TopicFile.pathOf(directory, "t"), 0600)) {
            assertTrue(topic.timestamps());
            var writer = topic.ring().newWriter(); // a writer that knows nothing of timestamps
            assertTrue(writer.offer(0, new byte[4], 0, 4) >= 0);
        }
        CorruptRingException e = assertThrows(CorruptRingException.class, () -> drain(subscriber));
        assertTrue(e.getMessage().contains("no room for one"), e.getMessage());
    }

    @Test
    void publishingAndReadingTimesAllocatesNothingInSteadyState() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Subscriber subscriber = bus.newSubscriber("alloc", stamped(), new SubscriberConfig());
        Publisher publisher = bus.newPublisher("alloc", stamped());
        byte[] bytes = new byte[32];
        long[] sum = new long[1];
        MessageHandler handler = (type, buffer, offset, length) -> sum[0] += subscriber.publishTime() + length;
        exchange(publisher, subscriber, handler, bytes, 300_000);
        long start = threads.getThreadAllocatedBytes(Thread.currentThread().threadId());
        exchange(publisher, subscriber, handler, bytes, 500_000);
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().threadId()) - start;
        assertTrue(allocated <= 16 * 1024, allocated + " bytes allocated for 500,000 timestamped messages");
        assertNotEquals(0, sum[0]);
    }

    private static void exchange(Publisher publisher, Subscriber subscriber, MessageHandler handler, byte[] bytes,
        int count) {
        for (int i = 0; i < count; i++) {
            if (publisher.offer(bytes) < 0 || subscriber.poll(handler, 10) != 1) {
                throw new AssertionError("message " + i + " was not exchanged");
            }
        }
    }
}
