package io.ringbus.transport.conformance;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.Publisher;
import io.ringbus.core.RingBusException;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.os.SharedFiles;
import io.ringbus.core.ring.CursorDescriptor;
import io.ringbus.core.ring.RingDescriptor;
import io.ringbus.core.topic.PublisherSlotDescriptor;
import io.ringbus.core.topic.TopicDescriptor;
import io.ringbus.core.topic.TopicFile;
import io.ringbus.transport.conformance.Messages.Collector;
import io.ringbus.transport.frame.FrameDescriptor;
import io.ringbus.transport.stream.ByteStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile clients drawn at random against a live bridge, while a well-behaved publisher streams to a
 * well-behaved subscriber through it: garbage before or after a hello, hellos with random options (valid
 * and not), message frames of random lengths (over the limit too), headers that promise more than comes,
 * COMMIT frames with counts the session never sent, subscribers that stop reading or vanish mid-frame, and
 * connections dropped at once. Two threads of them at a time.
 *
 * <p>What must hold: the good pair carries on (every message, in order, none damaged); every hostile session
 * the bridge ends, it ends with a typed error or a refusal (a log line naming an exception that is not a
 * {@link RingBusException} is a finding); and afterwards only the good pair's sessions remain, holding the
 * good topic's only publisher slot and only subscriber slot (nothing a hostile client took is left
 * behind). The seed is printed; {@code -Dringbus.test.seed=N} replays the choices.
 */
class HostileClientsTest extends AbstractConformanceTest {
    private static final String GOOD = "good";
    private static final String JUNK = "junk";
    /**
     * Where the hostile durable subscribers go: a topic nobody publishes to, as one that leaves holds its topic's
     * publishers back by design (for good, if it never comes back).
     */
    private static final String ATTIC = "attic";
    private static final int EPISODES_PER_THREAD = 40;
    private static final long CONNECT_TIMEOUT_NANOS = 5_000_000_000L;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#streams")
    @Timeout(120)
    void hostileClientsAtRandomLeaveTheGoodPairAndTheSlotsAlone(PathFixture fixture) throws Exception {
        long seed = Long.getLong("ringbus.test.seed", System.nanoTime());
        System.out.println("HostileClientsTest [" + fixture.name() + "] seed " + seed);
        PathFixture path = open(fixture);
        TopicConfig topic = new TopicConfig();
        Subscriber subscriber = path.client().newSubscriber(GOOD, topic, new SubscriberConfig());
        Publisher publisher = path.client().newPublisher(GOOD, topic);
        int maxMessage = publisher.maxMessageLength();
        ConcurrentLinkedQueue<String> findings = new ConcurrentLinkedQueue<>();
        AtomicBoolean hostileDone = new AtomicBoolean();
        AtomicLong sent = new AtomicLong();
        Thread good = Thread.ofPlatform().name("good-publisher").start(() -> {
            Messages.OfferStats stats = new Messages.OfferStats();
            while (!hostileDone.get()) {
                Messages.offer(publisher, Messages.message(0, sent.get(), 64), stats);
                sent.incrementAndGet();
                Thread.yield();
            }
        });
        Collector got = new Collector();
        Thread reader = Thread.ofPlatform().name("good-subscriber").start(() -> {
            while (!hostileDone.get() || got.count() < sent.get()) {
                subscriber.await(got, 256, 1_000_000L);
            }
        });
        List<Thread> hostile = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            SplittableRandom random = new SplittableRandom(seed + t);
            hostile.add(Thread.ofPlatform().name("hostile-" + t).start(() -> {
                for (int i = 0; i < EPISODES_PER_THREAD; i++) {
                    try {
                        episode(path, random, maxMessage);
                    } catch (RuntimeException | AssertionError e) {
                        // The bridge closing on us is the expected answer to most of what we send.
                    }
                }
            }));
        }
        for (Thread thread : hostile) {
            thread.join();
        }
        hostileDone.set(true);
        good.join();
        reader.join(Messages.PATIENCE_NANOS / 1_000_000);
        assertFalse(reader.isAlive(), "the good subscriber got " + got.count() + " of " + sent.get());

        assertEquals(0, got.badPayloads(), "damaged payloads reached the good subscriber");
        Messages.assertPerPublisherOrder(got.keys(), 1, (int) sent.get());
        try {
            ConformanceStreamTest.await(() -> path.bridge().activeSessions() == 2, "only the good pair's sessions to"
                + " remain");
        } catch (AssertionError stuck) {
            throw new AssertionError("seed " + seed + ": " + path.bridge().activeSessions() + " sessions active,"
                + " the bridge's log: " + String.join("\n", path.bridgeLog()), stuck);
        }
        for (String line : List.copyOf(path.bridgeLog())) {
            if (untyped(line)) {
                findings.add("an untyped error closed a session: " + line);
            }
        }
        int[] taken = takenSlots(path);
        assertEquals(1, taken[0], "publisher slots of '" + GOOD + "' held after the storm");
        assertEquals(1, taken[1], "subscriber slots of '" + GOOD + "' held after the storm");
        assertTrue(findings.isEmpty(), "seed " + seed + ": " + findings);
    }

    /** One hostile connection, drawn at random. */
    private static void episode(PathFixture path, SplittableRandom random, int maxMessage) {
        try (ByteStream raw = path.rawConnector().connect(CONNECT_TIMEOUT_NANOS)) {
            switch (random.nextInt(8)) {
                case 0 -> send(raw, randomBytes(random, 1 + random.nextInt(200))); // garbage for a hello
                case 1 -> send(raw, Arrays.copyOf(RawStreams.hello("ringbus/1 pub " + JUNK),
                    1 + random.nextInt(FrameDescriptor.HEADER_LENGTH + 8))); // half a hello, then gone
                case 2 -> publisher(raw, random, maxMessage);
                case 3, 4 -> subscriber(raw, random);
                case 5 -> send(raw, RawStreams.hello(randomHello(random)));
                case 6 -> {
                    if (welcomed(raw, "ringbus/1 pub " + JUNK)) {
                        send(raw, randomBytes(random, 1 + random.nextInt(64))); // garbage after a good hello
                    }
                }
                default -> {
                    // Connect and drop at once.
                }
            }
            if (random.nextBoolean()) {
                drain(raw, random.nextInt(30));
            }
        }
    }

    /** A publisher of the junk topic: valid frames, frames over the limit, a header promising more than comes. */
    private static void publisher(ByteStream raw, SplittableRandom random, int maxMessage) {
        if (!welcomed(raw, "ringbus/1 pub " + JUNK)) {
            return;
        }
        for (int frames = random.nextInt(50); frames > 0; frames--) {
            int what = random.nextInt(20);
            if (what == 0) {
                send(raw, RawStreams.header(0, maxMessage + 1 + random.nextInt(1 << 20)));
                return;
            }
            if (what == 1) {
                byte[] frame = RawStreams.frame(random.nextInt(1000), randomBytes(random, random.nextInt(200)));
                send(raw, Arrays.copyOf(frame, random.nextInt(frame.length)));
                return; // cut mid-frame
            }
            if (what == 2) {
                send(raw, RawStreams.frame(-1 - random.nextInt(30), randomBytes(random, random.nextInt(16))));
                return; // a control frame from a publisher
            }
            send(raw, RawStreams.frame(random.nextInt(1000), randomBytes(random, random.nextInt(maxMessage + 1))));
        }
    }

    /**
     * A subscriber of the good topic or the junk topic, or a durable one of the attic: reads some, stops
     * reading, sends what a subscriber must not, or a COMMIT for messages never sent, then leaves.
     */
    private static void subscriber(ByteStream raw, SplittableRandom random) {
        int topic = random.nextInt(3);
        String options = (random.nextBoolean() ? " commit=explicit" : "")
            + (random.nextBoolean() ? " policy=evict evictAfterMs=" + (1 + random.nextInt(50)) : "")
            + (topic == 2 ? " durable=hostile-" + random.nextInt(3) : "")
            + (random.nextBoolean() ? " start=earliest" : "");
        if (!welcomed(raw, "ringbus/1 sub " + (topic == 0 ? GOOD : topic == 1 ? JUNK : ATTIC) + options)) {
            return;
        }
        switch (random.nextInt(5)) {
            case 0 -> drain(raw, random.nextInt(50));
            case 1 -> sleep(random.nextInt(50)); // joined and reading nothing: a stalled subscriber
            case 2 -> send(raw, RawStreams.frame(FrameDescriptor.COMMIT, ByteBuffer.allocate(Long.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN).putLong(random.nextLong(-5, 1L << 40)).array()));
            case 3 -> send(raw, RawStreams.frame(random.nextInt(100) - 50, randomBytes(random, random.nextInt(32))));
            default -> {
                drain(raw, random.nextInt(10));
                send(raw, RawStreams.frame(FrameDescriptor.BYE, new byte[0]));
                drain(raw, 20);
            }
        }
    }

    /** A hello with random words: versions, roles, topic names and options, some valid, most not. */
    private static String randomHello(SplittableRandom random) {
        String[] versions = {"ringbus/1", "ringbus/0", "ringbus/99", "", "RINGBUS/1"};
        String[] roles = {"pub", "sub", "both", "", "PUB"};
        String[] topics = {JUNK, "", "../x", "a".repeat(200), "tab\tname", "junk2"};
        String[] options = {"capacity=1", "capacity=-4", "capacity=65536", "maxMessageLength=0",
            "maxMessageLength=99999999", "durable=", "durable=" + "d".repeat(100), "policy=sometimes",
            "evictAfterMs=-1", "commit=maybe", "start=yesterday", "maxPublishers=0", "=", "x=y", "capacity"};
        StringBuilder hello = new StringBuilder(versions[random.nextInt(versions.length)]).append(' ')
            .append(roles[random.nextInt(roles.length)]).append(' ').append(topics[random.nextInt(topics.length)]);
        for (int n = random.nextInt(4); n > 0; n--) {
            hello.append(' ').append(options[random.nextInt(options.length)]);
        }
        return hello.toString();
    }

    /** Sends the hello and reads the answer: whether it was WELCOME (else the bridge refused or closed). */
    private static boolean welcomed(ByteStream raw, String hello) {
        send(raw, RawStreams.hello(hello));
        return RawStreams.readFrame(raw) == FrameDescriptor.WELCOME;
    }

    private static void send(ByteStream raw, byte[] bytes) {
        RawStreams.write(raw, bytes);
    }

    /** Reads whatever comes for about {@code millis}, then stops reading (the connection stays open). */
    private static void drain(ByteStream raw, int millis) {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() - deadline < 0) {
            buffer.clear();
            if (raw.read(buffer) < 0) {
                return;
            }
            raw.awaitReadable(1_000_000L);
        }
    }

    private static void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] randomBytes(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    /**
     * Whether a bridge log line closes a session with an exception that is not one of the bus's typed ones
     * (a {@code Throwable.toString()} after the stream's name).
     */
    private static boolean untyped(String line) {
        if (!line.startsWith("closed ") || !line.contains("Exception")) {
            return false;
        }
        for (String word : line.split("[\\s:()]+")) {
            if (word.startsWith("io.ringbus.") || word.startsWith("java.")) {
                try {
                    return !RingBusException.class.isAssignableFrom(Class.forName(word));
                } catch (ClassNotFoundException | LinkageError e) {
                    // Not a class name: read on.
                }
            }
        }
        return false;
    }

    /** The good topic's taken slots: {publishers ACTIVE, subscriber cursors not FREE}. */
    private static int[] takenSlots(PathFixture path) {
        try (TopicFile topic = TopicFile.tryOpen(TopicFile.pathOf(path.busDirectory(), GOOD), SharedFiles.FILE_MODE)) {
            int publishers = 0;
            for (int i = 0; i < topic.publisherSlots(); i++) {
                long state = TopicDescriptor.publisherSlotOffset(i) + PublisherSlotDescriptor.STATE_OFFSET;
                if (topic.segment().get(ValueLayout.JAVA_INT, state) == PublisherSlotDescriptor.ACTIVE) {
                    publishers++;
                }
            }
            int subscribers = 0;
            for (int i = 0; i < topic.ring().maxCursors(); i++) {
                long state = RingDescriptor.cursorOffset(i) + CursorDescriptor.STATE_OFFSET;
                if (topic.ring().segment().get(ValueLayout.JAVA_INT, state) != CursorDescriptor.FREE) {
                    subscribers++;
                }
            }
            return new int[] {publishers, subscribers};
        }
    }
}
