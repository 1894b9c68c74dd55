package io.ringbus.transport.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.transport.conformance.Messages.Collector;
import io.ringbus.transport.stream.ByteStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A publisher that closes its connection right after its last bytes: after its hello alone, after whole
 * frames, and in the middle of a frame. Its session must end each time (the bridge holds no session, and no
 * publisher slot, for a client that left), and its whole frames must be published.
 *
 * <p>Found by {@link HostileClientsTest} on {@code mq:}: when the session's read took the client's last frame
 * and its close marker in one call, it returned the frame and dropped the marker, and the session then read
 * on for as long as the client's process lived.
 */
class PublisherClosesAfterLastBytesTest extends AbstractConformanceTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ringbus.transport.conformance.Fixtures#streams")
    void aPublisherThatClosesRightAfterItsLastBytesEndsItsSession(PathFixture fixture) {
        PathFixture path = open(fixture);
        Subscriber subscriber = path.client().newSubscriber("closing", new TopicConfig(), new SubscriberConfig());
        Collector got = new Collector();
        int sent = 0;
        for (int variant = 0; variant < 3; variant++) {
            int before = path.bridge().activeSessions();
            try (ByteStream raw = path.rawConnector().connect(5_000_000_000L)) {
                RawStreams.handshake(raw, "ringbus/1 pub closing");
                if (variant >= 1) {
                    RawStreams.write(raw, RawStreams.frame(0, Messages.message(1, sent++, 40)));
                    RawStreams.write(raw, RawStreams.frame(0, Messages.message(1, sent++, 40)));
                }
                if (variant == 2) {
                    RawStreams.write(raw, new byte[] {1, 2, 3}); // part of a frame header
                }
            }
            String what = variant == 0 ? "after its hello" : variant == 1 ? "after two frames" : "mid-frame";
            ConformanceStreamTest.await(() -> path.bridge().activeSessions() == before,
                "the session of a publisher that closed " + what + " to end (" + path.bridge().activeSessions()
                    + " active, " + before + " before)");
        }
        Messages.receive(subscriber, got, sent);
        assertEquals(0, got.badPayloads(), "damaged payloads");
        Messages.assertPerPublisherOrder(got.keys(), new int[] {0, sent});
    }
}
