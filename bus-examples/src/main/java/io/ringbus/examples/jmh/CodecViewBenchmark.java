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
import io.ringbus.examples.ChronicleOrder;
import io.ringbus.examples.sbe.MessageHeaderDecoder;
import io.ringbus.examples.sbe.MessageHeaderEncoder;
import io.ringbus.examples.sbe.OrderDecoder;
import io.ringbus.examples.sbe.OrderEncoder;
import io.ringbus.examples.sbe.Side;
import io.ringbus.transport.codec.AgronaClaim;
import io.ringbus.transport.codec.AgronaPayload;
import io.ringbus.transport.codec.ChronicleClaim;
import io.ringbus.transport.codec.ChroniclePayload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the codec views cost per message beside hand-packed bytes: one thread claims an order (the 29-byte
 * order of the samples: id, instrument, price, quantity, side), writes it into the claim, commits, polls it
 * back and reads every field, through the public API on one topic.
 *
 * <pre>
 *   one benchmark thread, per op:
 *   order --write into claim--> [ topic ring, 1 MiB ] --poll(limit 1)--> handler --read fields--> order
 *     handPacked: MemorySegment sets and gets at fixed offsets (the floor)
 *     chronicle:  ChronicleClaim + BytesMarshallable.writeMarshallable / ChroniclePayload + readMarshallable
 *     sbe:        AgronaClaim + SBE OrderEncoder (with its 8-byte header) / AgronaPayload + OrderDecoder
 * </pre>
 *
 * <p>Score is per message; the difference from {@code handPacked} is what a view and its codec add. With
 * {@code -prof gc} each allocates 0 B/op. Forks get the Chronicle and Agrona flags ({@code CodecFlags}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true", "-Dslf4j.internal.verbosity=ERROR"})
@State(Scope.Thread)
public class CodecViewBenchmark {
    private static final int CAPACITY = 1024 * 1024;
    private static final int SBE_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + OrderEncoder.BLOCK_LENGTH;

    private Path busDirectory;
    private Bus bus;
    private Publisher publisher;
    private Subscriber subscriber;
    private ChronicleClaim chronicleClaim;
    private ChroniclePayload chroniclePayload;
    private final ChronicleOrder chronicleOut = new ChronicleOrder();
    private final ChronicleOrder chronicleIn = new ChronicleOrder();
    private AgronaClaim agronaClaim;
    private final AgronaPayload agronaPayload = new AgronaPayload();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final OrderEncoder orderEncoder = new OrderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final OrderDecoder orderDecoder = new OrderDecoder();
    private long sequence;
    private long checksum;

    private final MessageHandler handPackedReader = (type, buffer, offset, length) ->
        checksum += buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset)
            + buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8)
            + (long) buffer.get(ValueLayout.JAVA_DOUBLE_UNALIGNED, offset + 16)
            + buffer.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 24)
            + buffer.get(ValueLayout.JAVA_BYTE, offset + 28);

    private final MessageHandler chronicleReader = (type, buffer, offset, length) -> {
        chronicleIn.readMarshallable(chroniclePayload.wrap(buffer, offset, length));
        checksum += chronicleIn.orderId();
    };

    private final MessageHandler sbeReader = (type, buffer, offset, length) -> {
        var view = agronaPayload.wrap(buffer, offset, length);
        orderDecoder.wrapAndApplyHeader(view, 0, headerDecoder);
        checksum += orderDecoder.orderId() + orderDecoder.instrument() + (long) orderDecoder.price()
            + orderDecoder.quantity() + (orderDecoder.side() == Side.BUY ? 1 : 0);
    };

    /** A single-producer topic without wakeup, a SPIN subscriber, and the four views. */
    @Setup(Level.Trial)
    public void setUp() {
        try {
            busDirectory = Files.createTempDirectory(Path.of("/dev/shm"), "ringbus-jmh-codec-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bus = Bus.open(new BusContext().directory(busDirectory.resolve("bus")));
        TopicConfig topic = new TopicConfig().capacity(CAPACITY).producerMode(ProducerMode.SINGLE).wakeup(false);
        subscriber = bus.newSubscriber("codec", topic, new SubscriberConfig().wakeup(WakeupMode.SPIN));
        publisher = bus.newPublisher("codec", topic);
        chronicleClaim = new ChronicleClaim(publisher);
        chroniclePayload = new ChroniclePayload();
        agronaClaim = new AgronaClaim(publisher);
    }

    /** Closes the views and the bus, and removes its directory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        chronicleClaim.close();
        chroniclePayload.close();
        bus.close();
        try (Stream<Path> files = Files.walk(busDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The floor: the order packed by hand at fixed offsets, read back the same way. */
    @Benchmark
    public int handPacked() {
        long i = sequence++;
        long position = publisher.tryClaim(ChronicleOrder.LENGTH);
        if (position < 0) {
            throw new IllegalStateException("refused: " + position);
        }
        MemorySegment ring = publisher.buffer();
        long at = publisher.payloadOffset(position);
        ring.set(ValueLayout.JAVA_LONG_UNALIGNED, at, i);
        ring.set(ValueLayout.JAVA_LONG_UNALIGNED, at + 8, 1_000 + (i & 7));
        ring.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, at + 16, 99.5 + i);
        ring.set(ValueLayout.JAVA_INT_UNALIGNED, at + 24, (int) i);
        ring.set(ValueLayout.JAVA_BYTE, at + 28, (byte) (i & 1));
        publisher.commit(position);
        return subscriber.poll(handPackedReader, 1);
    }

    /** The order as a {@code BytesMarshallable} through the Chronicle Bytes views. */
    @Benchmark
    public int chronicle() {
        long i = sequence++;
        if (chronicleClaim.tryClaim(ChronicleOrder.LENGTH) < 0) {
            throw new IllegalStateException("refused");
        }
        chronicleOut.set(i, 1_000 + (i & 7), 99.5 + i, (int) i, (i & 1) == 1).writeMarshallable(chronicleClaim.bytes());
        chronicleClaim.commit();
        return subscriber.poll(chronicleReader, 1);
    }

    /** The order as an SBE message through the Agrona views. */
    @Benchmark
    public int sbe() {
        long i = sequence++;
        if (agronaClaim.tryClaim(SBE_LENGTH) < 0) {
            throw new IllegalStateException("refused");
        }
        orderEncoder.wrapAndApplyHeader(agronaClaim.buffer(), 0, headerEncoder)
            .orderId(i)
            .instrument(1_000 + (i & 7))
            .price(99.5 + i)
            .quantity((int) i)
            .side((i & 1) == 1 ? Side.BUY : Side.SELL);
        agronaClaim.commit();
        return subscriber.poll(sbeReader, 1);
    }
}
