package io.ringbus.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.ring.MessageHandler;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An open publisher commits with a plain release store (no subscriber pads a live owner's claims);
 * a closed one must not: its slot is FREE, so a subscriber held up by its open claim pads it, and a
 * commit that came after that must lose (the compare-and-set from the claim marker), or a subscriber
 * that joined later would get a message the first one skipped as padding.
 */
class LateCommitAfterCloseTest {
    private static final TopicConfig TOPIC = new TopicConfig().capacity(1 << 16).wakeup(false);

    private Path root;

    @BeforeEach
    void open() throws Exception {
        root = Files.createTempDirectory(Path.of("/dev/shm"), "rb-perf-late-");
    }

    @AfterEach
    void close() throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aCommitAfterCloseLosesToTheRecoveryThatPaddedTheClaim() {
        try (Bus bus = Bus.open(new BusContext().directory(root.resolve("bus")))) {
            SubscriberConfig spin = new SubscriberConfig().wakeup(WakeupMode.SPIN);
            Subscriber first = bus.newSubscriber("t", TOPIC, spin);
            Publisher closing = bus.newPublisher("t", TOPIC);
            long claimed = closing.tryClaim(8);
            assertTrue(claimed >= 0);
            closing.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, closing.payloadOffset(claimed), 7L);
            closing.close();

            // Held up at the claim of a closed (so dead) owner, the subscriber pads it within a check interval.
            List<Long> firstGot = new ArrayList<>();
            MessageHandler intoFirst = (type, buffer, offset, length) ->
                firstGot.add(buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (first.position() == claimed && System.nanoTime() < deadline) {
                first.await(intoFirst, 10, 50_000_000L);
            }
            assertTrue(first.position() > claimed, "the subscriber moved past the padded claim");

            closing.commit(claimed); // too late: must not turn the padding back into a message
            Publisher next = bus.newPublisher("t", TOPIC);
            byte[] after = new byte[8];
            after[0] = 9;
            assertTrue(next.offer(after) >= 0);
            first.poll(intoFirst, 10);

            Subscriber later = bus.newSubscriber("t", TOPIC,
                new SubscriberConfig().wakeup(WakeupMode.SPIN).start(StartPosition.EARLIEST));
            List<Long> laterGot = new ArrayList<>();
            later.poll((type, buffer, offset, length) ->
                laterGot.add(buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset)), 10);
            assertEquals(List.of(9L), firstGot, "the first subscriber skipped the claim as padding");
            assertEquals(firstGot, laterGot, "a later subscriber sees the same: the late commit did not count");
        }
    }
}
