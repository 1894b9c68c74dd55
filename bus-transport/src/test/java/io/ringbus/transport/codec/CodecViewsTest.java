package io.ringbus.transport.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The codec views through a real topic: what is written through a claim view is what a payload view reads. */
@Tag("codec") // run by the codec-test execution, with CodecFlags (see this module's pom)
class CodecViewsTest {
    private CodecFixture fixture;
    private Publisher publisher;
    private Subscriber subscriber;

    @BeforeEach
    void open() throws Exception {
        fixture = new CodecFixture();
        subscriber = fixture.bus.newSubscriber("orders", new TopicConfig(),
            new SubscriberConfig().start(StartPosition.EARLIEST));
        publisher = fixture.bus.newPublisher("orders");
    }

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    void aMarshallableWrittenIntoAClaimIsReadFromThePayload() {
        try (ChronicleClaim claim = new ChronicleClaim(publisher); ChroniclePayload payload = new ChroniclePayload()) {
            TestOrder order = new TestOrder();
            for (int i = 0; i < 1000; i++) { // several laps of the 64 KiB ring: the views are re-pointed each time
                assertTrue(claim.tryClaim(TestOrder.LENGTH) >= 0);
                order.set(i, 7_000 + i, 100.25 + i, i * 3, i % 2 == 0).writeMarshallable(claim.bytes());
                assertEquals(TestOrder.LENGTH, claim.bytes().writePosition());
                claim.commit();
                TestOrder read = new TestOrder();
                int[] lengths = new int[1];
                assertEquals(1, subscriber.poll((type, buffer, offset, length) -> {
                    lengths[0] = length;
                    read.readMarshallable(payload.wrap(buffer, offset, length));
                }, 1));
                assertEquals(TestOrder.LENGTH, lengths[0]);
                assertEquals(i, read.orderId);
                assertEquals(7_000 + i, read.instrument);
                assertEquals(100.25 + i, read.price);
                assertEquals(i * 3, read.quantity);
                assertEquals(i % 2 == 0, read.buy);
            }
        }
    }

    @Test
    void aWritePastTheClaimThrowsAndTouchesNothingOutsideIt() {
        try (ChronicleClaim claim = new ChronicleClaim(publisher)) {
            long position = claim.tryClaim(16);
            assertTrue(position >= 0);
            long end = publisher.payloadOffset(position) + 16;
            long after = publisher.buffer().get(ValueLayout.JAVA_LONG_UNALIGNED, end);
            claim.bytes().writeLong(1);
            claim.bytes().writeLong(2);
            assertThrows(BufferOverflowException.class, () -> claim.bytes().writeByte((byte) 3));
            assertEquals(after, publisher.buffer().get(ValueLayout.JAVA_LONG_UNALIGNED, end));
            claim.abort();
        }
        assertEquals(0, subscriber.poll((type, buffer, offset, length) -> { }, 10), "an aborted claim is skipped");
    }

    @Test
    void whatAWriterLeavesUnwrittenIsZeroedAtCommit() {
        byte[] dirty = new byte[64];
        java.util.Arrays.fill(dirty, (byte) 0x5A);
        for (int i = 0; i < 2000; i++) { // 2000 records of 64 + header bytes: the 64 KiB ring wraps
            assertTrue(publisher.offer(dirty) >= 0);
            subscriber.poll((type, buffer, offset, length) -> { }, 10);
        }
        try (ChronicleClaim claim = new ChronicleClaim(publisher)) {
            long position = claim.tryClaim(64);
            assertTrue(position >= 0);
            assertEquals((byte) 0x5A, publisher.buffer().get(ValueLayout.JAVA_BYTE, publisher.payloadOffset(position)
                + 63), "the claim lands on an earlier message's bytes");
            claim.bytes().writeInt(42);
            claim.commit();
        }
        List<byte[]> received = new ArrayList<>();
        subscriber.poll((type, buffer, offset, length) -> received.add(
            buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE)), 1);
        byte[] expected = new byte[64];
        expected[0] = 42;
        assertArrayEquals(expected, received.getFirst());
    }

    @Test
    void aReadPastThePayloadThrows() {
        assertTrue(publisher.offer(new byte[12]) >= 0);
        try (ChroniclePayload payload = new ChroniclePayload()) {
            List<String> thrown = new ArrayList<>();
            subscriber.poll((type, buffer, offset, length) -> {
                var in = payload.wrap(buffer, offset, length);
                in.readLong();
                in.readInt();
                try {
                    in.readByte();
                } catch (BufferUnderflowException expected) {
                    thrown.add("underflow");
                }
            }, 1);
            assertEquals(List.of("underflow"), thrown);
        }
    }

    @Test
    void anAgronaClaimRoundTripsThroughTheTopic() {
        AgronaClaim claim = new AgronaClaim(publisher);
        AgronaPayload payload = new AgronaPayload();
        for (int i = 0; i < 1000; i++) {
            assertTrue(claim.tryClaim(20) >= 0);
            claim.buffer().putLong(0, i);
            claim.buffer().putDouble(8, i / 4.0);
            claim.buffer().putInt(16, -i);
            assertEquals(20, claim.buffer().capacity());
            assertThrows(IndexOutOfBoundsException.class, () -> claim.buffer().putInt(17, 1));
            claim.commit();
            long[] seen = new long[3];
            final int expected = i;
            assertEquals(1, subscriber.poll((type, buffer, offset, length) -> {
                DirectBuffer message = payload.wrap(buffer, offset, length);
                assertEquals(20, message.capacity());
                seen[0] = message.getLong(0);
                seen[1] = Double.doubleToLongBits(message.getDouble(8));
                seen[2] = message.getInt(16);
            }, 1));
            assertArrayEquals(new long[] {expected, Double.doubleToLongBits(expected / 4.0), -expected}, seen);
        }
    }

    @Test
    void aSecondClaimBeforeCommitIsRefusedAndCommitWithoutAClaimToo() {
        AgronaClaim claim = new AgronaClaim(publisher);
        assertThrows(IllegalStateException.class, claim::commit);
        assertTrue(claim.tryClaim(8) >= 0);
        assertThrows(IllegalStateException.class, () -> claim.tryClaim(8));
        claim.abort();
        assertEquals(-1, claim.position());
    }

    @Test
    void aFailedClaimReturnsTheCodeAndLeavesNoClaimOpen() {
        publisher.close();
        try (ChronicleClaim claim = new ChronicleClaim(publisher)) {
            assertEquals(Result.CLOSED, claim.tryClaim(8));
            assertEquals(-1, claim.position());
            assertThrows(IllegalStateException.class, claim::commit);
        }
    }

    @Test
    void payloadViewsRefuseHeapMemoryAndRangesOutsideTheSegment() {
        MemorySegment heap = MemorySegment.ofArray(new byte[64]);
        assertThrows(IllegalArgumentException.class, () -> new AgronaPayload().wrap(heap, 0, 8));
        try (Arena arena = Arena.ofConfined(); ChroniclePayload payload = new ChroniclePayload()) {
            MemorySegment native64 = arena.allocate(64);
            assertThrows(IndexOutOfBoundsException.class, () -> payload.wrap(native64, 60, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> new AgronaPayload().wrap(native64, -1, 8));
            assertEquals(8, payload.wrap(native64, 56, 8).readRemaining());
        }
    }
}
