package io.ringbus.stress.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Subscriber;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * What counts as the others moving again after a death, on each path ({@link Unblock}), with fake
 * ledgers, counters and ring positions that are functions of a fake clock; and {@link RingPositions}
 * on a real topic.
 *
 * <p>Once, {@code ./bus stress --via tcp --seed 7051248517781} beside two busy processes reported
 * "SLOW UNBLOCK" (p50 0.3-0.9 s, max up to 2.2 s; quiet, p50 16 ms): on tcp a publisher's ledger
 * counts what its client accepted, megabytes of it still in socket buffers, and the shared-memory
 * measure waited until the subscribers had drained all of that before they received a message
 * numbered past the ledger at the death. {@link #aBacklogDrainingSlowlyIsNotABlockOnAStreamPath} is
 * that case: the ring moved at once.
 */
class UnblockTest {
    private static final double LIMIT = StressFigures.UNBLOCK_LIMIT_MILLIS;
    private static final double TIMEOUT = Unblock.TIMEOUT.toMillis();
    /** The ring's tail at the death (t = 0), in the scenarios below. */
    private static final long TAIL = 1_000_000;

    /** A clock that moves only while the measure waits. */
    private static final class FakeClock implements Unblock.Clock {
        private long now;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void park(long nanos) {
            now += nanos;
        }

        double millis() {
            return now / 1e6;
        }
    }

    private final FakeClock clock = new FakeClock();

    /** A value as a function of the milliseconds since the death. */
    private long at(DoubleToLongFunction value) {
        return value.applyAsLong(clock.millis());
    }

    private Unblock.Publisher pub(String name, int id, DoubleToLongFunction ledger) {
        return new Unblock.Publisher() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int id() {
                return id;
            }

            @Override
            public boolean publishing() {
                return true;
            }

            @Override
            public long ledger() {
                return at(ledger);
            }
        };
    }

    /** A subscriber that received {@code received} in all, and publisher 2's messages up to {@code next}. */
    private Unblock.Subscriber sub(String name, DoubleToLongFunction received, DoubleToLongFunction next) {
        return new Unblock.Subscriber() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean alive() {
                return true;
            }

            @Override
            public long received() {
                return at(received);
            }

            @Override
            public long next(int publisherId) {
                return publisherId == 2 ? at(next) : 0;
            }
        };
    }

    /** A ring whose tail and cursor positions (by slot, -1 when given up) are functions of time. */
    private Unblock.Ring ring(DoubleToLongFunction tail, List<DoubleToLongFunction> cursors) {
        return new Unblock.Ring() {
            @Override
            public long tail() {
                return at(tail);
            }

            @Override
            public List<Integer> liveCursors() {
                List<Integer> live = new ArrayList<>();
                for (int slot = 0; slot < cursors.size(); slot++) {
                    if (position(slot) >= 0) {
                        live.add(slot);
                    }
                }
                return live;
            }

            @Override
            public long position(int slot) {
                return at(cursors.get(slot));
            }
        };
    }

    /**
     * The scenario of the false alarm: publisher 2's client accepts a message a millisecond and had
     * accepted 10,000 at the death; the subscribers are 4,000 of its messages behind that (its backlog
     * in buffers and streams) and drain a message a millisecond; the ring moves 4 KB a millisecond and
     * its readers are 10 KB behind the tail.
     */
    private final Unblock.Publisher acceptsFreely = pub("pub-1#2", 2, t -> 10_000 + (long) t);
    private final List<Unblock.Subscriber> draining = List.of(
        sub("sub-0", t -> 50_000 + (long) t, t -> 6_000 + (long) t),
        sub("sub-1", t -> 40_000 + (long) t, t -> 6_000 + (long) t));
    private final Unblock.Ring moving = ring(t -> TAIL + 4_000 * (long) t,
        List.of(t -> TAIL - 10_000 + 4_000 * (long) t, t -> TAIL - 10_000 + 4_000 * (long) t));

    @Test
    void aBacklogDrainingSlowlyIsNotABlockOnAStreamPath() {
        for (Via via : List.of(Via.TCP, Via.UNIX, Via.FIFO, Via.PIPE, Via.MQ)) {
            clock.now = 0;
            Unblock unblock = Unblock.mark(via, List.of(acceptsFreely), draining, moving);
            assertTrue(unblock.measuresRing(), via.label());
            Unblock.Result result = unblock.await(0, clock);
            // The readers pass the tail at the death after 2.5 ms; polled every 0.5 ms.
            assertEquals(3.0, result.millis(), 0.01, via.label());
            assertNull(result.heldAtLimit(), via.label());
        }
    }

    @Test
    void sharedMemoryStillWaitsForAMessageCommittedAfterTheDeath() {
        for (Via via : List.of(Via.SHM, Via.AERON)) {
            clock.now = 0;
            Unblock unblock = Unblock.mark(via, List.of(acceptsFreely), draining, null);
            assertFalse(unblock.measuresRing(), via.label());
            Unblock.Result result = unblock.await(0, clock);
            // Publisher 2's message 10,002 was committed after the death; the subscribers reach it at 4,002 ms.
            assertEquals(4_002.0, result.millis(), 0.01, via.label());
            assertTrue(result.millis() > LIMIT, via.label());
            assertTrue(result.heldAtLimit().contains("sub-0 received"), result.heldAtLimit());
        }
    }

    @Test
    void aRingThatNeverMovesIsStillReported() {
        // The clients accept and the subscribers drain their backlogs, but a reader never passes the tail
        // at the death: something holds the ring (a claim never committed, a session that stopped reading).
        Unblock.Ring held = ring(t -> TAIL, List.of(t -> TAIL - 10_000 + 4_000 * (long) t, t -> TAIL - 3_000));
        Unblock.Result result = Unblock.mark(Via.TCP, List.of(acceptsFreely), draining, held).await(0, clock);
        assertEquals(TIMEOUT, result.millis());
        assertTrue(result.heldAtLimit().contains("the ring's cursor 1 at 997,000 (tail at the death 1,000,000)"),
            result.heldAtLimit());
        assertFalse(result.heldAtLimit().contains("cursor 0"), result.heldAtLimit());

        // No reader at all, and nothing claimed after the death.
        clock.now = 0;
        Unblock.Ring still = ring(t -> TAIL, List.of());
        result = Unblock.mark(Via.UNIX, List.of(acceptsFreely), draining, still).await(0, clock);
        assertEquals(TIMEOUT, result.millis());
        assertTrue(result.heldAtLimit().contains("the ring's tail 1,000,000"), result.heldAtLimit());
    }

    @Test
    void aPublisherOrSubscriberThatStopsAtItsEndIsStillReported() {
        Unblock.Publisher stuck = pub("pub-0#1", 1, t -> 777);
        Unblock.Result result = Unblock.mark(Via.TCP, List.of(acceptsFreely, stuck), draining, moving)
            .await(0, clock);
        assertEquals(TIMEOUT, result.millis());
        assertEquals("pub-0#1 accepted 777 (at the death 777); ", result.heldAtLimit());

        clock.now = 0;
        List<Unblock.Subscriber> oneStopped = List.of(draining.getFirst(), sub("sub-1", t -> 40_000, t -> 6_000));
        result = Unblock.mark(Via.TCP, List.of(acceptsFreely), oneStopped, moving).await(0, clock);
        assertEquals(TIMEOUT, result.millis());
        assertEquals("sub-1 received 40000 (at the death 40000); ", result.heldAtLimit());
    }

    @Test
    void aCursorGivenUpHoldsNothing() {
        // A killed subscriber's session closes its cursor (slot 1) 5 ms after the death, where it stood.
        Unblock.Ring closing = ring(t -> TAIL + 4_000 * (long) t,
            List.of(t -> TAIL - 10_000 + 4_000 * (long) t, t -> t < 5 ? TAIL - 10_000 : -1));
        Unblock.Result result = Unblock.mark(Via.TCP, List.of(acceptsFreely), List.of(), closing).await(0, clock);
        assertEquals(5.0, result.millis(), 0.01);
    }

    @Test
    void nothingToMeasureWhenNoPublisherPublishes() {
        Unblock.Publisher finished = new Unblock.Publisher() {
            @Override
            public String name() {
                return "pub-0#1";
            }

            @Override
            public int id() {
                return 1;
            }

            @Override
            public boolean publishing() {
                return false;
            }

            @Override
            public long ledger() {
                return 5;
            }
        };
        assertEquals(-1.0, Unblock.mark(Via.TCP, List.of(finished), draining, moving).await(0, clock).millis());
        assertEquals(-1.0, Unblock.mark(Via.SHM, List.of(finished), draining, null).await(0, clock).millis());
    }

    @Test
    void theSuccessorOfTheOnlyPublisherMustCommitOnce() {
        // No other publisher at the death: its successor (publisher 2) starts from nothing.
        List<Unblock.Subscriber> fresh = List.of(sub("sub-0", t -> 0, t -> t < 9 ? 0 : 1));
        Unblock unblock = Unblock.mark(Via.SHM, List.of(), fresh, null);
        unblock.addStarted(pub("pub-0#2", 2, t -> t < 7 ? 0 : 1));
        assertEquals(9.0, unblock.await(0, clock).millis(), 0.01);
    }

    @Test
    void aStreamPathNeedsTheRing() {
        assertThrows(IllegalArgumentException.class, () -> Unblock.mark(Via.TCP, List.of(acceptsFreely), draining,
            null));
    }

    @Test
    void ringPositionsReadsTheTailAndTheCursorsOfLiveReadersInThisProcess() throws Exception {
        Path directory = Files.createTempDirectory(Path.of("/dev/shm"), "rb-unblock-test-");
        try (Bus bus = Bus.open(new BusContext().directory(directory));
             Publisher publisher = bus.newPublisher("t")) {
            Subscriber subscriber = bus.newSubscriber("t");
            try (RingPositions ring = RingPositions.open(directory, "t")) {
                List<Integer> live = ring.liveCursors();
                assertEquals(1, live.size());
                int slot = live.getFirst();
                long start = ring.tail();
                assertEquals(start, ring.position(slot));
                assertTrue(publisher.offer(new byte[100]) >= 0);
                assertTrue(ring.tail() > start);
                assertEquals(start, ring.position(slot));
                assertEquals(1, subscriber.poll((type, buffer, offset, length) -> { }, 10));
                assertEquals(ring.tail(), ring.position(slot));
                subscriber.close();
                assertEquals(-1, ring.position(slot));
                assertEquals(List.of(), ring.liveCursors());
            }
        } finally {
            StressRun.deleteTree(directory);
        }
        assertThrows(StressException.class, () -> RingPositions.open(directory, "t"));
    }
}
