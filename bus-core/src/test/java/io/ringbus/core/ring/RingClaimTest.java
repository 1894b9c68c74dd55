package io.ringbus.core.ring;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.ring.RingHarness.Sent;
import io.ringbus.core.ring.RingHarness.Tracked;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Zero-copy claims: a committed claim is delivered with the bytes written in place, an aborted one
 * never is, and a claim not yet committed holds back every later record until it is resolved.
 */
class RingClaimTest {
    private static final int CAPACITY = 4096;

    private static RingConfig config(ProducerMode mode) {
        return new RingConfig().capacity(CAPACITY).maxCursors(4).producerMode(mode);
    }

    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void aClaimIsInvisibleUntilCommittedThenDeliveredWithItsBytes(ProducerMode mode) {
        try (RingHarness h = new RingHarness(config(mode))) {
            RingWriter writer = h.ring.newWriter();
            Tracked reader = h.join();
            Sent claimed = h.claim(writer, 100);
            assertNotNull(claimed);
            for (int i = 0; i < 3; i++) {
                assertEquals(0, reader.poll(Integer.MAX_VALUE));
                assertEquals(claimed.claimStart, reader.reader.position());
            }
            h.commit(writer, claimed);
            assertEquals(1, reader.poll(Integer.MAX_VALUE));
            assertEquals(claimed.end(), reader.reader.position());
        }
    }

    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void abortedClaimsAreNeverDeliveredAndDoNotBlockLaterRecords(ProducerMode mode) {
        try (RingHarness h = new RingHarness(config(mode))) {
            RingWriter writer = h.ring.newWriter();
            Tracked reader = h.join();
            Random random = new Random(11);
            int aborted = 0;
            while (h.modelTail < 8L * CAPACITY) {
                Sent s = h.claim(writer, random.nextInt(CAPACITY / 8 + 1));
                if (s == null) {
                    reader.poll(1 + random.nextInt(8));
                    continue;
                }
                if (random.nextInt(3) == 0) {
                    h.abort(writer, s);
                    aborted++;
                } else {
                    h.commit(writer, s);
                }
                if (random.nextBoolean()) {
                    reader.poll(1 + random.nextInt(8));
                }
            }
            reader.drain();
            assertEquals(h.modelTail, reader.reader.position());
            assertEquals(h.sent.size() - aborted, reader.delivered);
            assertTrue(aborted > 10);
        }
    }

    /** Aborting every record leaves the reader with nothing, but past all of them. */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void aRingOfOnlyAbortedRecordsDeliversNothing(ProducerMode mode) {
        try (RingHarness h = new RingHarness(config(mode))) {
            RingWriter writer = h.ring.newWriter();
            Tracked reader = h.join();
            for (int lap = 0; lap < 3; lap++) {
                Sent s;
                while ((s = h.claim(writer, lap * 50)) != null) {
                    h.abort(writer, s);
                }
                reader.drain();
                assertEquals(0, reader.delivered);
                assertEquals(h.modelTail, reader.reader.position());
            }
        }
    }

    /** Two writers of a MANY ring: the first claim, uncommitted, holds back the second, committed. */
    @Test
    void anUncommittedClaimHoldsBackALaterCommittedOneUntilItCommits() {
        try (RingHarness h = new RingHarness(config(ProducerMode.MANY))) {
            RingWriter first = h.ring.newWriter();
            RingWriter second = h.ring.newWriter();
            Tracked reader = h.join();
            Tracked other = h.join();
            Sent a = h.claim(first, 40);
            Sent b = h.claim(second, 60);
            assertTrue(b.position > a.position);
            h.commit(second, b);
            assertEquals(0, reader.poll(Integer.MAX_VALUE));
            assertEquals(0, other.poll(Integer.MAX_VALUE));
            assertEquals(a.claimStart, reader.reader.position());
            h.commit(first, a);
            assertEquals(1, reader.poll(1));
            assertEquals(1, reader.poll(Integer.MAX_VALUE));
            assertEquals(2, other.poll(Integer.MAX_VALUE));
        }
    }

    @Test
    void anUncommittedClaimHoldsBackALaterOneUntilItIsAborted() {
        try (RingHarness h = new RingHarness(config(ProducerMode.MANY))) {
            RingWriter first = h.ring.newWriter();
            RingWriter second = h.ring.newWriter();
            Tracked reader = h.join();
            Sent a = h.claim(first, 0);
            Sent b = h.claim(second, 1);
            Sent c = h.claim(first, 2);
            h.commit(second, b);
            h.commit(first, c);
            assertEquals(0, reader.poll(Integer.MAX_VALUE));
            h.abort(first, a);
            assertEquals(2, reader.poll(Integer.MAX_VALUE));
        }
    }

    /**
     * Many claims in flight at once, from several writers, resolved in random order: after each
     * commit or abort every reader gets exactly the committed prefix (the harness's model), in
     * position order, and never an aborted record. Claims cross the wrap, so padding before an
     * uncommitted record is exercised too.
     */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void claimsResolvedInRandomOrderAreDeliveredInPositionOrder(ProducerMode mode) {
        try (RingHarness h = new RingHarness(config(mode).initialPosition(CAPACITY - 256))) {
            int writerCount = mode == ProducerMode.MANY ? 3 : 1;
            List<RingWriter> writers = new ArrayList<>();
            for (int i = 0; i < writerCount; i++) {
                writers.add(h.ring.newWriter());
            }
            Tracked eager = h.join();
            Tracked lazy = h.join();
            Random random = new Random(99);
            for (int round = 0; round < 60; round++) {
                List<Sent> inFlight = new ArrayList<>();
                List<RingWriter> claimedBy = new ArrayList<>();
                int claims = 1 + random.nextInt(12);
                for (int i = 0; i < claims; i++) {
                    RingWriter writer = writers.get(random.nextInt(writerCount));
                    Sent s = h.claim(writer, random.nextInt(CAPACITY / 8 + 1));
                    if (s == null) {
                        break;
                    }
                    inFlight.add(s);
                    claimedBy.add(writer);
                }
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < inFlight.size(); i++) {
                    order.add(i);
                }
                Collections.shuffle(order, random);
                for (int i : order) {
                    if (random.nextInt(4) == 0) {
                        h.abort(claimedBy.get(i), inFlight.get(i));
                    } else {
                        h.commit(claimedBy.get(i), inFlight.get(i));
                    }
                    eager.poll(1 + random.nextInt(3));
                }
                if (random.nextInt(5) == 0) {
                    lazy.drain();
                }
            }
            h.drainAll();
            assertEquals(eager.delivered, lazy.delivered);
            assertEquals(h.modelTail, eager.reader.position());
        }
    }

    /** The payload region a claim hands out lies inside the data area and belongs to that record only. */
    @ParameterizedTest
    @EnumSource(ProducerMode.class)
    void claimedPayloadsAreDisjointAndInsideTheDataArea(ProducerMode mode) {
        try (RingHarness h = new RingHarness(config(mode).initialPosition(CAPACITY - 64))) {
            RingWriter writer = h.ring.newWriter();
            Tracked holder = h.join();
            assertSame(h.ring.segment(), writer.buffer());
            long dataStart = h.ring.dataOffset();
            long dataEnd = dataStart + CAPACITY;
            List<long[]> ranges = new ArrayList<>();
            Sent s;
            int length = 0;
            while ((s = h.claim(writer, length)) != null) {
                long from = writer.payloadOffset(s.position);
                assertTrue(from >= dataStart + RecordDescriptor.HEADER_LENGTH && from + length <= dataEnd,
                    "payload [" + from + ", " + (from + length) + ") outside the data area");
                for (long[] r : ranges) {
                    assertTrue(from + length <= r[0] - RecordDescriptor.HEADER_LENGTH || from >= r[1],
                        "payload or header overlaps another record");
                }
                ranges.add(new long[] {from, from + length});
                length = (length + 37) % (CAPACITY / 8 + 1);
            }
            assertTrue(ranges.size() > 10, "claims: " + ranges.size());
            Tracked late = h.join();
            for (Sent each : h.sent) {
                h.commit(writer, each);
            }
            // The late reader joined while every claim was pending: it starts at the first of them
            // (a reader never starts above a pending claim) and gets them all once committed.
            late.drain();
            assertEquals(h.sent.size(), late.delivered, "a reader that joined below pending claims");
            holder.drain();
            assertEquals(h.sent.size(), holder.delivered);
        }
    }
}
