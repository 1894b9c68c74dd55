package io.ringbus.transport.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringbus.core.Publisher;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.MessageHandler;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The codec views allocate nothing: claim, write, commit, poll and read orders through each pair of views on
 * one thread, {@value #WARM_UP_ROUNDS} rounds of {@value #MESSAGES} to warm up (more, up to
 * {@value #MORE_WARM_UP_ROUNDS}, until a whole round allocates nothing), then {@value #MEASURED_ROUNDS} more, and
 * the bytes that thread allocated in those must be 0. One 16-byte object per message would be
 * 8,000,000 bytes, and {@code BytesStore.wrap} per message (about 250-650 B each) far more.
 *
 * <p>Why the warm-up is long: in the first few hundred thousand messages the JIT moves the publisher's limit
 * scan ({@code Ring.slowestCursor}) from tier 2 to tier 3, and that transition allocates about 1.2 KB of
 * Strings on the publishing thread, once (found with JFR's allocation events, TLABs off). Measured over the
 * first 100,000 messages after a short warm-up, that showed as "1.2-3.6 KB per 100,000 messages"; it never
 * grows with the message count, and none of it is the views'. Nothing here waits, so no wakeup allowance is
 * needed (compare the stream paths' test).
 */
@Tag("codec") // run by the codec-test execution, with CodecFlags (see this module's pom)
class CodecAllocationTest {
    private static final int MESSAGES = 100_000;
    private static final int WARM_UP_ROUNDS = 6;
    private static final int MEASURED_ROUNDS = 5;
    /** Warm-up rounds past {@link #WARM_UP_ROUNDS} while a round still allocates (the JIT is late). */
    private static final int MORE_WARM_UP_ROUNDS = 20;

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private CodecFixture fixture;
    private Publisher publisher;
    private Subscriber subscriber;
    private long checksum;

    @BeforeEach
    void open() throws Exception {
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
            "this JVM does not count allocated bytes per thread");
        fixture = new CodecFixture();
        subscriber = fixture.bus.newSubscriber("alloc", new TopicConfig(),
            new SubscriberConfig().start(StartPosition.EARLIEST));
        publisher = fixture.bus.newPublisher("alloc");
    }

    @AfterEach
    void close() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void chronicleViewsAllocateNothingPerMessage() {
        try (ChronicleClaim claim = new ChronicleClaim(publisher); ChroniclePayload payload = new ChroniclePayload()) {
            TestOrder out = new TestOrder();
            TestOrder in = new TestOrder();
            MessageHandler handler = (type, buffer, offset, length) -> {
                in.readMarshallable(payload.wrap(buffer, offset, length));
                checksum += in.orderId;
            };
            Runnable send = () -> {
                for (int i = 0; i < MESSAGES; i++) {
                    while (claim.tryClaim(TestOrder.LENGTH) < 0) {
                        subscriber.poll(handler, 100);
                    }
                    out.set(i, i, i, i, true).writeMarshallable(claim.bytes());
                    claim.commit();
                    subscriber.poll(handler, 100);
                }
                while (subscriber.poll(handler, 100) > 0) {
                    // drain
                }
            };
            assertAllocatesNothing("Chronicle Bytes views", send);
        }
    }

    @Test
    void agronaViewsAllocateNothingPerMessage() {
        AgronaClaim claim = new AgronaClaim(publisher);
        AgronaPayload payload = new AgronaPayload();
        MessageHandler handler = (type, buffer, offset, length) ->
            checksum += payload.wrap(buffer, offset, length).getLong(0);
        Runnable send = () -> {
            for (int i = 0; i < MESSAGES; i++) {
                while (claim.tryClaim(TestOrder.LENGTH) < 0) {
                    subscriber.poll(handler, 100);
                }
                claim.buffer().putLong(0, i);
                claim.buffer().putDouble(8, i);
                claim.commit();
                subscriber.poll(handler, 100);
            }
            while (subscriber.poll(handler, 100) > 0) {
                // drain
            }
        };
        assertAllocatesNothing("Agrona views", send);
    }

    private void assertAllocatesNothing(String what, Runnable send) {
        long sum = (long) MESSAGES * (MESSAGES - 1) / 2;
        long thread = Thread.currentThread().threadId();
        int warmUps = 0;
        long lastWarmUp = -1;
        // Warm-up: class loading, the JIT's tiers. At least WARM_UP_ROUNDS, then on until one whole round
        // allocates nothing: on a machine busy with other builds the JIT's compile queue is slow, and its once-only
        // tier transition (see above) came inside the measured rounds (456 bytes in one ./bus test run). A view that
        // allocated per message would allocate in every round and still fail below.
        while (warmUps < WARM_UP_ROUNDS || (lastWarmUp != 0 && warmUps < WARM_UP_ROUNDS + MORE_WARM_UP_ROUNDS)) {
            long before = threads.getThreadAllocatedBytes(thread);
            send.run();
            lastWarmUp = threads.getThreadAllocatedBytes(thread) - before;
            warmUps++;
        }
        assertEquals(warmUps * sum, checksum, what + ": every message read back");
        long before = threads.getThreadAllocatedBytes(thread);
        for (int round = 0; round < MEASURED_ROUNDS; round++) {
            send.run();
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertEquals((warmUps + MEASURED_ROUNDS) * sum, checksum, what + ": every message read back");
        assertEquals(0, allocated, what + " allocated " + allocated + " bytes for " + MEASURED_ROUNDS * MESSAGES
            + " messages after the warm-up");
        System.out.println(what + ": " + allocated + " bytes allocated for " + MEASURED_ROUNDS * MESSAGES
            + " messages");
    }
}
