package io.ringbus.examples.jmh;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.RingReader;
import io.ringbus.core.ring.RingWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The instructions of one message through each ring, without the cross-core traffic: one thread
 * offers a message by copy and polls it back out by copy, ringbus through its public API
 * ({@link Publisher#offer}, {@link Subscriber#poll}: {@link #bus()}) and through its bare ring
 * ({@link #ringbus()}) beside Agrona's {@link OneToOneRingBuffer} ({@link #agrona()}), the same shape as
 * one hop of {@code bus bench ring}'s ping-pong.
 *
 * <pre>
 *   one benchmark thread, per op:
 *   payload --offer/write--> [ ring, 1 MiB ] --poll/read(limit 1)--> handler --copy--> copy
 * </pre>
 *
 * <p>Score is per message. The gap between {@code ringbus} and {@code agrona} is the work the ring does
 * per message beyond Agrona's (checks, stamps, segment accesses); between {@code bus} and {@code ringbus},
 * the topic layer's (a single-producer topic without wakeup, a SPIN subscriber, as the headline rows of
 * {@code bus bench ring} use). The cross-core share is in {@code bus bench ring}. With {@code -prof gc}
 * every one allocates 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@State(Scope.Thread)
public class OfferPollBenchmark implements MessageHandler, org.agrona.concurrent.MessageHandler {
    private static final int CAPACITY = 1024 * 1024;
    private static final int TYPE_ID = 1;
    /** Polls that find nothing after each message in the polled-ahead benchmarks. */
    private static final int EMPTY_POLLS = 7;
    /** Message limit of each poll in the polled-ahead benchmarks, as {@code bus bench ring}'s subscribers use. */
    private static final int POLL_LIMIT = 1024;

    /** Payload bytes per message. */
    @Param({"64"})
    public int payload;

    private RingFixture fixture;
    private RingWriter writer;
    private RingReader reader;
    private Arena arena;
    private MemorySegment source;
    private MemorySegment copy;
    private OneToOneRingBuffer agrona;
    private UnsafeBuffer agronaSource;
    private UnsafeBuffer agronaCopy;
    private long checksum;
    private Path busDirectory;
    private Bus bus;
    private Publisher publisher;
    private Subscriber subscriber;
    private Publisher wakingPublisher;
    private Subscriber wakingSubscriber;

    /** A ringbus ring with one reader, an Agrona ring, and the payload buffers. */
    @Setup(Level.Trial)
    public void setUp() {
        fixture = new RingFixture(CAPACITY, 4, ProducerMode.SINGLE);
        writer = fixture.ring().newWriter();
        reader = fixture.ring().newReader();
        arena = Arena.ofShared();
        source = arena.allocate(payload, 64);
        copy = arena.allocate(payload, 64);
        agrona = new OneToOneRingBuffer(new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(CAPACITY + RingBufferDescriptor.TRAILER_LENGTH, 64)));
        agronaSource = new UnsafeBuffer(BufferUtil.allocateDirectAligned(payload, 64));
        agronaCopy = new UnsafeBuffer(BufferUtil.allocateDirectAligned(payload, 64));
        try {
            busDirectory = Files.createTempDirectory(Path.of("/dev/shm"), "ringbus-jmh-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bus = Bus.open(new BusContext().directory(busDirectory.resolve("bus")));
        TopicConfig topic = new TopicConfig().capacity(CAPACITY).producerMode(ProducerMode.SINGLE).wakeup(false);
        subscriber = bus.newSubscriber("offer-poll", topic, new SubscriberConfig().wakeup(WakeupMode.SPIN));
        publisher = bus.newPublisher("offer-poll", topic);
        TopicConfig waking = new TopicConfig().capacity(CAPACITY).producerMode(ProducerMode.SINGLE).wakeup(true);
        wakingSubscriber = bus.newSubscriber("offer-poll-wakeup", waking,
            new SubscriberConfig().wakeup(WakeupMode.BLOCKING));
        wakingPublisher = bus.newPublisher("offer-poll-wakeup", waking);
    }

    /** Frees the ring. */
    @TearDown(Level.Trial)
    public void tearDown() {
        reader.close();
        fixture.close();
        arena.close();
        bus.close();
        try (Stream<Path> files = Files.walk(busDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
        MemorySegment.copy(buffer, offset, copy, 0, length);
        checksum += copy.get(ValueLayout.JAVA_LONG, 0);
    }

    @Override
    public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
        buffer.getBytes(index, agronaCopy, 0, length);
        checksum += agronaCopy.getLong(0);
    }

    /** One ringbus message: offer by copy, poll with limit 1, copy out. */
    @Benchmark
    public int ringbus() {
        source.set(ValueLayout.JAVA_LONG, 0, checksum);
        if (writer.offer(TYPE_ID, source, 0, payload) < 0) {
            throw new IllegalStateException("refused");
        }
        return reader.poll(this, 1);
    }

    /** One message through the public API: {@code Publisher.offer} by copy, {@code Subscriber.poll} with limit 1. */
    @Benchmark
    public int bus() {
        source.set(ValueLayout.JAVA_LONG, 0, checksum);
        if (publisher.offer(source, 0, payload) < 0) {
            throw new IllegalStateException("refused");
        }
        return subscriber.poll(this, 1);
    }

    /**
     * {@link #bus()} with a subscriber that polls faster than messages come, as a subscriber in another
     * process does: each message is followed by {@link #EMPTY_POLLS} polls that find nothing. The JIT
     * then profiles the per-message call sites inside {@code poll} as cold (most polls deliver nothing)
     * and inlines less there, which {@link #bus()} (every poll delivers) never shows.
     */
    @Benchmark
    public int busPolledAhead() {
        source.set(ValueLayout.JAVA_LONG, 0, checksum);
        if (publisher.offer(source, 0, payload) < 0) {
            throw new IllegalStateException("refused");
        }
        int delivered = subscriber.poll(this, POLL_LIMIT);
        for (int i = 0; i < EMPTY_POLLS; i++) {
            delivered += subscriber.poll(this, POLL_LIMIT);
        }
        return delivered;
    }

    /** {@link #busPolledAhead()} through the bare ring: the topic layer's share in that shape. */
    @Benchmark
    public int ringbusPolledAhead() {
        source.set(ValueLayout.JAVA_LONG, 0, checksum);
        if (writer.offer(TYPE_ID, source, 0, payload) < 0) {
            throw new IllegalStateException("refused");
        }
        int delivered = reader.poll(this, POLL_LIMIT);
        for (int i = 0; i < EMPTY_POLLS; i++) {
            delivered += reader.poll(this, POLL_LIMIT);
        }
        return delivered;
    }

    /** {@link #busPolledAhead()} through Agrona's ring: one write, then a read and {@link #EMPTY_POLLS} empty ones. */
    @Benchmark
    public int agronaPolledAhead() {
        agronaSource.putLong(0, checksum);
        if (!agrona.write(TYPE_ID, agronaSource, 0, payload)) {
            throw new IllegalStateException("refused");
        }
        int delivered = agrona.read(this, POLL_LIMIT);
        for (int i = 0; i < EMPTY_POLLS; i++) {
            delivered += agrona.read(this, POLL_LIMIT);
        }
        return delivered;
    }

    /**
     * {@link #bus()} on a topic with wakeup on (the default), its subscriber never parked: what the
     * publisher's check for parked subscribers (a full fence, then one load) adds to each offer.
     */
    @Benchmark
    public int busWithWakeup() {
        source.set(ValueLayout.JAVA_LONG, 0, checksum);
        if (wakingPublisher.offer(source, 0, payload) < 0) {
            throw new IllegalStateException("refused");
        }
        return wakingSubscriber.poll(this, 1);
    }

    /** One Agrona message: write by copy, read with limit 1, copy out. */
    @Benchmark
    public int agrona() {
        agronaSource.putLong(0, checksum);
        if (!agrona.write(TYPE_ID, agronaSource, 0, payload)) {
            throw new IllegalStateException("refused");
        }
        int read = agrona.read(this, 1);
        // At the wrap a read stops after the padding record: read the message in the same op.
        return read != 0 ? read : agrona.read(this, 1);
    }
}
