package io.ringbus.stress.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.RingBusException;
import io.ringbus.core.SlowConsumerPolicy;
import io.ringbus.core.StartPosition;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.os.SharedFiles;
import io.ringbus.core.ring.CursorDescriptor;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.RecordDescriptor;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingConfig;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.topic.DeadClaims;
import io.ringbus.core.topic.PublisherSlotDescriptor;
import io.ringbus.core.topic.ShmPublisher;
import io.ringbus.core.topic.ShmSubscriber;
import io.ringbus.core.topic.SlotSweeper;
import io.ringbus.core.topic.SubscriberSlotDescriptor;
import io.ringbus.core.topic.TopicDescriptor;
import io.ringbus.core.topic.TopicFile;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Opening a topic file ({@link TopicFile#tryOpen}: the topic header, then the ring header) and using
 * it: publisher and subscriber slots ({@link PublisherSlotDescriptor}, {@link SubscriberSlotDescriptor})
 * as a hostile or crashed peer left them.
 *
 * <p>Each input starts from one of a few real topic files, made at set-up by the bus itself: a
 * publisher that wrote messages and died with a claim pending (its slot ACTIVE, its lock gone), a
 * durable subscriber that consumed some and went away, another that joined at the end. The image is
 * damaged (topic header fields, the ring header, publisher slots, subscriber slots, records, raw
 * bytes; sometimes the file is cut or extended), written to the file, and opened as another process
 * would. If it opens, random operations run on it, with more damage between them, as a live peer
 * would write it: a publisher joins (taking over dead slots, padding dead intents) and offers, a
 * durable or plain subscriber joins (resuming by name) and polls, the sweeper runs, dead claims are
 * recovered at fuzzed positions.
 *
 * <p>Every open and every operation must end in a valid result or a typed error.
 */
final class TopicFileFuzz implements FuzzTarget {
    private static final int FILE_MODE = SharedFiles.FILE_MODE;
    private static final String[] DURABLE_NAMES = {"d1", "d2", "d3"};

    private final Path directory;
    private final Path path;
    private final List<byte[]> images = new ArrayList<>();
    private long operations;
    private long rejections;
    private long opened;

    TopicFileFuzz() throws IOException {
        directory = Files.createTempDirectory(Path.of(Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : "/tmp"),
            "ringbus-fuzz-");
        try {
            SharedFiles.ensureDirectory(directory);
            makeImages();
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
        path = directory.resolve("fuzz" + TopicFile.SUFFIX);
        try (TopicFile topic = TopicFile.openOrCreate(directory, "fuzz",
            new TopicFile.Shape(new RingConfig().capacity(1024), 1, true), FILE_MODE, shape -> null)) {
            assertEquals(path, topic.path());
        }
    }

    private void makeImages() {
        images.add(makeImage("t0", new RingConfig().capacity(1024).maxCursors(4).producerMode(ProducerMode.MANY),
            2, true));
        images.add(makeImage("t1", new RingConfig().capacity(2048).maxCursors(3).producerMode(ProducerMode.SINGLE)
            .initialPosition((1L << 32) - 512), 1, false));
        images.add(makeImage("t2", new RingConfig().capacity(1024).maxCursors(2).producerMode(ProducerMode.MANY)
            .initialPosition(((Long.MAX_VALUE - 2L * 1024) & -16L) - 16 * 40), 3, true));
        images.add(makeImage("t3", new RingConfig().capacity(1024).maxCursors(3).producerMode(ProducerMode.MANY),
            2, false, true));
    }

    /** A topic made and used by the bus, then left as a crashed publisher leaves it; its bytes. */
    private byte[] makeImage(String name, RingConfig ring, int publishers, boolean wakeup) {
        return makeImage(name, ring, publishers, wakeup, false);
    }

    /** The same, on a topic whose messages carry their publish time when {@code timestamps}. */
    private byte[] makeImage(String name, RingConfig ring, int publishers, boolean wakeup, boolean timestamps) {
        TopicFile topic = TopicFile.openOrCreate(directory, name,
            new TopicFile.Shape(ring, publishers, wakeup, timestamps), FILE_MODE, shape -> null);
        try {
            SubscriberConfig durable = new SubscriberConfig().durableName("d1").wakeup(WakeupMode.SPIN)
                .start(StartPosition.EARLIEST);
            ShmSubscriber first = new ShmSubscriber(topic, durable, () -> { });
            ShmPublisher publisher = new ShmPublisher(topic, () -> { });
            byte[] payload = new byte[24];
            for (int i = 0; i < 20; i++) {
                payload[0] = (byte) i;
                publisher.offer(payload, 0, 8 + i % 16);
            }
            first.poll((type, buffer, offset, length) -> { }, 7);
            first.close();
            new ShmSubscriber(topic, new SubscriberConfig().durableName("d2").wakeup(WakeupMode.SPIN), () -> { })
                .close();
            long pending = publisher.tryClaim(16);
            assertTrue(pending >= 0, "pending claim");
            // The publisher "dies": its slot stays ACTIVE, its claim pending; closing the file drops its lock.
            return topic.segment().toArray(ValueLayout.JAVA_BYTE);
        } finally {
            topic.close();
        }
    }

    @Override
    public String name() {
        return "topic-file";
    }

    @Override
    public String stats() {
        return String.format("%,d opened, %,d operations, %,d typed rejections", opened, operations, rejections);
    }

    @Override
    public void fuzzOne(FuzzInput in) throws IOException {
        int which = in.nextInt(images.size());
        byte[] image = images.get(which).clone();
        MemorySegment bytes = MemorySegment.ofArray(image);
        in.note("image t" + which + " of " + image.length + " bytes");
        int mode = in.nextInt(4);
        for (int n = 1 + in.nextInt(4); n > 0; n--) {
            damage(in, bytes, mode == 0 ? in.nextInt(3) : mode == 1 ? 3 + in.nextInt(4) : in.nextInt(7));
        }
        long length = image.length;
        if (in.oneIn(8)) {
            length = in.oneIn(2) ? in.nextLong(image.length) : image.length + 1 + in.nextInt(65536);
            in.note("file length " + length);
        }
        write(image, length);
        TopicFile topic = TopicFile.tryOpen(path, FILE_MODE);
        assertTrue(topic != null, "the file is there");
        opened++;
        try {
            Ring ring = topic.ring();
            assertTrue(RingDescriptor.requiredLength(ring.capacity(), ring.maxCursors())
                <= topic.segment().byteSize(), "ring past the end of the file");
            assertTrue(topic.publisherSlots() >= 1 && topic.publisherSlots() <= TopicDescriptor.MAX_PUBLISHER_SLOTS);
            assertTrue(topic.name().length() <= TopicDescriptor.MAX_NAME_BYTES);
            for (int i = 2 + in.nextInt(6); i > 0; i--) {
                operate(in, topic);
                if (in.oneIn(3)) {
                    damage(in, topic.segment(), 3 + in.nextInt(4));
                }
            }
        } finally {
            topic.close();
        }
    }

    private void write(byte[] image, long length) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.truncate(Math.min(length, image.length));
            ByteBuffer buffer = ByteBuffer.wrap(image, 0, (int) Math.min(length, image.length));
            while (buffer.hasRemaining()) {
                channel.write(buffer, buffer.position());
            }
            if (length > image.length) {
                channel.write(ByteBuffer.wrap(new byte[1]), length - 1);
            }
        }
    }

    /**
     * One damage in {@code region}: 0 topic header fields, 1 name bytes, 2 ring header fields,
     * 3 publisher slots, 4 subscriber slots, 5 records, 6 raw bytes anywhere.
     */
    private static void damage(FuzzInput in, MemorySegment file, int region) {
        long size = file.byteSize();
        int slots = publisherSlots(file);
        long ringOffset = TopicDescriptor.ringOffset(slots);
        switch (region) {
            case 0 -> {
                long[] ints = {TopicDescriptor.VERSION_OFFSET, TopicDescriptor.READY_OFFSET,
                    TopicDescriptor.PUBLISHER_SLOTS_OFFSET, TopicDescriptor.FLAGS_OFFSET,
                    TopicDescriptor.NAME_LENGTH_OFFSET, TopicDescriptor.PARKED_COUNT_OFFSET};
                long[] longs = {TopicDescriptor.MAGIC_OFFSET, TopicDescriptor.FILE_LENGTH_OFFSET,
                    TopicDescriptor.RING_OFFSET_OFFSET, TopicDescriptor.CREATOR_PID_OFFSET};
                int pick = in.nextInt(ints.length + longs.length);
                if (pick < ints.length) {
                    in.mutateInt(file, ints[pick], "topic header int");
                } else {
                    in.mutateLong(file, longs[pick - ints.length], "topic header long");
                }
            }
            case 1 -> in.scribble(file, TopicDescriptor.NAME_OFFSET,
                TopicDescriptor.NAME_OFFSET + TopicDescriptor.MAX_NAME_BYTES, "name");
            case 2 -> {
                if (ringOffset + RingDescriptor.CURSORS_OFFSET <= size) {
                    long field = ringOffset + 4L * in.nextInt(RingDescriptor.TAIL_OFFSET / 4 + 2);
                    if (in.oneIn(2)) {
                        in.mutateInt(file, field, "ring header int");
                    } else {
                        in.mutateLong(file, field & -8L, "ring header long");
                    }
                }
            }
            case 3 -> {
                long slot = TopicDescriptor.publisherSlotOffset(in.nextInt(Math.max(1, Math.min(slots, 4))));
                int[] ints = {PublisherSlotDescriptor.STATE_OFFSET, PublisherSlotDescriptor.PID_OFFSET,
                    PublisherSlotDescriptor.INTENT_LENGTH_OFFSET, PublisherSlotDescriptor.GENERATION_OFFSET};
                if (slot + PublisherSlotDescriptor.SLOT_LENGTH > size) {
                    return;
                }
                if (in.oneIn(3)) {
                    in.mutateLong(file, slot + PublisherSlotDescriptor.INTENT_POSITION_OFFSET, "intent position");
                } else {
                    in.mutateInt(file, slot + ints[in.nextInt(ints.length)], "publisher slot int");
                }
            }
            case 4 -> {
                long slot = ringOffset + RingDescriptor.cursorOffset(in.nextInt(4));
                if (slot + CursorDescriptor.SLOT_LENGTH > size) {
                    return;
                }
                int[] ints = {CursorDescriptor.STATE_OFFSET, SubscriberSlotDescriptor.FLAGS_OFFSET,
                    SubscriberSlotDescriptor.WAKE_WORD_OFFSET, SubscriberSlotDescriptor.PARKED_OFFSET,
                    SubscriberSlotDescriptor.SIGNAL_OFFSET, SubscriberSlotDescriptor.NAME_LENGTH_OFFSET,
                    SubscriberSlotDescriptor.PID_OFFSET};
                int[] longs = {CursorDescriptor.POSITION_OFFSET, SubscriberSlotDescriptor.EVICTED_AT_OFFSET,
                    SubscriberSlotDescriptor.MISSED_BYTES_OFFSET, SubscriberSlotDescriptor.STALL_SINCE_OFFSET,
                    SubscriberSlotDescriptor.EVICT_AFTER_OFFSET};
                switch (in.nextInt(3)) {
                    case 0 -> in.mutateInt(file, slot + ints[in.nextInt(ints.length)], "subscriber slot int");
                    case 1 -> in.mutateLong(file, slot + longs[in.nextInt(longs.length)], "subscriber slot long");
                    default -> in.scribble(file, slot + SubscriberSlotDescriptor.NAME_OFFSET,
                        slot + SubscriberSlotDescriptor.NAME_OFFSET + SubscriberSlotDescriptor.MAX_NAME_BYTES,
                        "durable name");
                }
            }
            case 5 -> {
                int cursors = cursors(file, ringOffset);
                long data = ringOffset + RingDescriptor.dataOffset(cursors);
                long end = Math.min(size, data + capacity(file, ringOffset));
                if (data + RecordDescriptor.HEADER_LENGTH < end) {
                    long record = data + 16L * in.nextLong((end - data) / 16);
                    long field = record + 4L * in.nextInt(4);
                    if (in.oneIn(2)) {
                        in.mutateInt(file, field, "record int");
                    } else {
                        in.mutateLong(file, record + RecordDescriptor.STAMP_OFFSET, "record stamp");
                    }
                }
            }
            default -> in.scribble(file, 0, size, "raw");
        }
    }

    /** The publisher slot count the damaged header claims, clamped to what damage may address. */
    private static int publisherSlots(MemorySegment file) {
        int slots = file.get(ValueLayout.JAVA_INT_UNALIGNED, TopicDescriptor.PUBLISHER_SLOTS_OFFSET);
        return Math.max(1, Math.min(slots, 8));
    }

    private static int cursors(MemorySegment file, long ringOffset) {
        if (ringOffset + RingDescriptor.CURSORS_OFFSET > file.byteSize()) {
            return 1;
        }
        int cursors = file.get(ValueLayout.JAVA_INT_UNALIGNED, ringOffset + RingDescriptor.MAX_CURSORS_OFFSET);
        return Math.max(1, Math.min(cursors, 8));
    }

    private static int capacity(MemorySegment file, long ringOffset) {
        if (ringOffset + RingDescriptor.CURSORS_OFFSET > file.byteSize()) {
            return 0;
        }
        int capacity = file.get(ValueLayout.JAVA_INT_UNALIGNED, ringOffset + RingDescriptor.CAPACITY_OFFSET);
        return Math.max(0, Math.min(capacity, 4096));
    }

    private void operate(FuzzInput in, TopicFile topic) {
        operations++;
        try {
            switch (in.nextInt(6)) {
                case 0, 1 -> publish(in, topic);
                case 2, 3 -> subscribe(in, topic);
                case 4 -> {
                    in.note("sweep");
                    int freed = SlotSweeper.sweep(topic, in.oneIn(2));
                    assertTrue(freed >= 0 && freed <= topic.ring().maxCursors(), "freed " + freed);
                }
                default -> {
                    Ring ring = topic.ring();
                    long position = switch (in.nextInt(3)) {
                        case 0 -> ring.committedHead();
                        case 1 -> ring.tail() - 16L * in.nextInt(64);
                        default -> in.interestingLong(ring.tail());
                    };
                    in.note("recover dead claim at " + position);
                    DeadClaims.recover(topic, position);
                    if (in.oneIn(2)) {
                        int slot = in.nextInt(topic.publisherSlots());
                        in.note("pad intent of publisher slot " + slot);
                        DeadClaims.padIntentOfDeadPublisher(topic, slot);
                    }
                }
            }
        } catch (RingBusException typed) {
            rejections++;
            in.note("  -> " + typed.getClass().getSimpleName());
        }
    }

    private static void publish(FuzzInput in, TopicFile topic) {
        in.note("publisher joins");
        ShmPublisher publisher = new ShmPublisher(topic, () -> { });
        try {
            for (int i = in.nextInt(1, 40); i > 0; i--) {
                int length = in.nextInt(publisher.maxMessageLength() + 1);
                long result = publisher.offer(new byte[length], 0, length);
                Checks.result(result);
                if (result < 0 && in.oneIn(2)) {
                    break;
                }
            }
        } finally {
            publisher.close();
        }
    }

    private static void subscribe(FuzzInput in, TopicFile topic) {
        SubscriberConfig config = new SubscriberConfig().wakeup(in.oneIn(4) ? WakeupMode.BLOCKING : WakeupMode.SPIN)
            .start(in.oneIn(2) ? StartPosition.EARLIEST : StartPosition.LATEST);
        if (in.oneIn(3)) {
            config.slowConsumerPolicy(SlowConsumerPolicy.EVICT).evictAfter(Duration.ofMillis(1 + in.nextInt(3)));
        }
        if (!in.oneIn(3)) {
            config.durableName(in.pick(DURABLE_NAMES));
        }
        in.note("subscriber joins: durable " + config.durableName() + ", " + config.start());
        Ring ring = topic.ring();
        ShmSubscriber subscriber = new ShmSubscriber(topic, config, () -> { });
        try {
            for (int i = in.nextInt(1, 6); i > 0; i--) {
                long before = subscriber.position();
                int delivered = subscriber.poll(Checks.inRange(ring), in.oneIn(2) ? 1 : 64);
                assertTrue(delivered >= 0 && delivered <= 64, "delivered " + delivered);
                long moved = subscriber.position() - before;
                assertTrue(moved >= 0, "subscriber moved back by " + -moved);
            }
        } finally {
            subscriber.close();
        }
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
