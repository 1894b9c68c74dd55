package io.ringbus.stress.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The time from a death (a publisher's kill -9, or a non-durable subscriber's) until the others move
 * again: what is marked at the death, what must move past the mark on each path, and the wait for it.
 *
 * <p><b>On shared memory</b> ({@code shm}, and {@code aeron}, whose publishers are on shared memory) a
 * publisher killed mid-claim blocks the ring until its claim is recovered, so the measure is the bus's
 * own. A publisher's ledger at the death says {@code c}: the message in hand then may have been
 * committed before it, every one from {@code c + 1} on was committed after it. The others moved again
 * when every other live publisher's ledger reached {@code c + 2} and every live subscriber received a
 * message numbered {@code c + 2} or more of some publisher (one committed after the death, which lies
 * behind the dead publisher's claim if it held one).
 *
 * <p><b>On the stream paths</b> ({@code pipe}, {@code fifo}, {@code unix}, {@code tcp}, {@code mq})
 * only the bridge, in the harness's process, claims in the ring; a child publisher's ledger counts what
 * its client library accepted, which waits in the client's buffer and the kernel's (megabytes on tcp)
 * before the bridge commits it. A message numbered past the ledger at the death reaches a subscriber
 * only after that whole backlog, which under load takes over a second with nothing blocked: the shared
 * memory measure would time the backlog, not the unblock. So the ring itself is measured. At the death
 * the ring's tail {@code T} is marked, with each cursor slot a live reader (the bridge's session of a
 * subscriber) holds; the others moved again when each of those cursors passed {@code T} (it read a
 * record claimed after the death: the ring committed past {@code T} and nothing holds that reader) or
 * its slot was given up, when every other live publisher's client accepted 2 more messages than at the
 * death (it is not held either), and when every live subscriber received more messages than at the
 * death (progress at its end, whatever backlog it is still draining). With no cursor at the death, the
 * tail passing {@code T} (a claim after the death) is what the ring shows. A hang is still caught: a
 * claim that holds the ring, a bridge session that stops reading, a client that stops accepting or
 * receiving, each keeps the measure waiting until {@link #TIMEOUT}.
 *
 * <p>Not thread-safe: one measure at a time, on the fault injector's thread.
 */
final class Unblock {
    /** Longest wait for the others to move again; a death that takes longer counts this long. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long POLL_NANOS = 500_000;

    /** A publisher process as the measure reads it. */
    interface Publisher {
        /** Its name in the figures, such as {@code pub-1#3}. */
        String name();

        /** Its publisher id, which its messages carry. */
        int id();

        /** Whether it is alive and still publishing (not finished): only then must it move. */
        boolean publishing();

        /** Its ledger: messages whose {@code offer} returned (on a stream path, its client accepted). */
        long ledger();
    }

    /** A subscriber process as the measure reads it. */
    interface Subscriber {
        /** Its name in the figures. */
        String name();

        /** Whether its process lives: only then must it move. */
        boolean alive();

        /** Messages it received so far. */
        long received();

        /** The highest sequence of publisher {@code publisherId} it received, plus 1 (0 for none). */
        long next(int publisherId);
    }

    /** The topic's ring as the measure reads it (on a stream path, the ring the bridge writes). */
    interface Ring {
        /** The next position a producer will claim. */
        long tail();

        /** The cursor slots a live reader holds right now (ACTIVE, its lock held). */
        List<Integer> liveCursors();

        /** The position of cursor slot {@code slot}; -1 once no live reader holds it. */
        long position(int slot);
    }

    /** Time as the measure sees it: {@link #SYSTEM}, or a fake one in a test. */
    interface Clock {
        /** The system's {@link System#nanoTime} and {@link LockSupport#parkNanos}. */
        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void park(long nanos) {
                LockSupport.parkNanos(nanos);
            }
        };

        /** Now, in nanoseconds from an arbitrary origin. */
        long nanoTime();

        /** Waits about {@code nanos}. */
        void park(long nanos);
    }

    /**
     * What a measure found.
     *
     * @param millis milliseconds from the death until the others moved again; {@link #TIMEOUT} when
     *     they did not within it; -1 when there was nothing to measure (no publisher publishing)
     * @param heldAtLimit who had not moved yet at {@link StressFigures#UNBLOCK_LIMIT_MILLIS}, or null
     *     when all had by then
     */
    record Result(double millis, String heldAtLimit) {
    }

    private final List<Publisher> pubs = new ArrayList<>();
    private final List<Long> before = new ArrayList<>();
    private final List<Subscriber> subs;
    /** Stream paths: the ring, its tail and live cursors at the death, each subscriber's count; else null. */
    private final Ring ring;
    private final long tailAtDeath;
    private final List<Integer> cursorsAtDeath;
    private final List<Long> receivedAtDeath = new ArrayList<>();

    private Unblock(List<? extends Publisher> pubs, List<? extends Subscriber> subs, Ring ring) {
        for (Publisher pub : pubs) {
            this.pubs.add(pub);
            before.add(pub.ledger());
        }
        this.subs = List.copyOf(subs);
        this.ring = ring;
        if (ring != null) {
            for (Subscriber sub : subs) {
                receivedAtDeath.add(sub.received());
            }
            tailAtDeath = ring.tail();
            cursorsAtDeath = List.copyOf(ring.liveCursors());
        } else {
            tailAtDeath = 0;
            cursorsAtDeath = List.of();
        }
    }

    /**
     * Marks, right before a death, what must move on path {@code via}: the publishers {@code pubs}
     * and subscribers {@code subs}, and on a stream path the topic's {@code ring} (not read elsewhere,
     * where it may be null).
     */
    static Unblock mark(Via via, List<? extends Publisher> pubs, List<? extends Subscriber> subs, Ring ring) {
        if (via.stream() && ring == null) {
            throw new IllegalArgumentException("a stream path's unblock is measured on the ring: none given");
        }
        return new Unblock(pubs, subs, via.stream() ? ring : null);
    }

    /**
     * Adds a publisher that started after the death (the dead one's successor, when no other was
     * publishing): it must commit 1 message, so its ledger counts as -1 at the death.
     */
    void addStarted(Publisher pub) {
        pubs.add(pub);
        before.add(-1L);
    }

    /** Whether the ring is measured (a stream path) rather than the publishers' sequences. */
    boolean measuresRing() {
        return ring != null;
    }

    /** Waits (with the system's clock) until the others moved again since {@code since} (a nanoTime). */
    Result await(long since) {
        return await(since, Clock.SYSTEM);
    }

    /** Waits until the others moved again since {@code since}, by {@code clock}. */
    Result await(long since, Clock clock) {
        long deadline = since + TIMEOUT.toNanos();
        long limit = since + (long) (StressFigures.UNBLOCK_LIMIT_MILLIS * 1e6);
        String heldAtLimit = null;
        while (clock.nanoTime() - deadline < 0) {
            if (heldAtLimit == null && clock.nanoTime() - limit > 0) {
                heldAtLimit = held();
            }
            boolean anyPublishing = false;
            boolean pubsMoved = true;
            for (int i = 0; i < pubs.size(); i++) {
                Publisher pub = pubs.get(i);
                if (pub.publishing()) {
                    anyPublishing = true;
                    pubsMoved &= pubMoved(i);
                }
            }
            if (!anyPublishing) {
                return new Result(-1, heldAtLimit);
            }
            if (pubsMoved && ringMoved() && subsMoved()) {
                return new Result((clock.nanoTime() - since) / 1e6, heldAtLimit);
            }
            clock.park(POLL_NANOS);
        }
        return new Result(TIMEOUT.toMillis(), heldAtLimit == null ? held() : heldAtLimit);
    }

    private boolean pubMoved(int i) {
        return pubs.get(i).ledger() >= before.get(i) + 2;
    }

    private boolean ringMoved() {
        if (ring == null) {
            return true;
        }
        if (cursorsAtDeath.isEmpty()) {
            return ring.tail() > tailAtDeath;
        }
        for (int slot : cursorsAtDeath) {
            if (!cursorMoved(slot)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a cursor read past the tail at the death, or no live reader holds it any more. */
    private boolean cursorMoved(int slot) {
        long position = ring.position(slot);
        return position < 0 || position > tailAtDeath;
    }

    private boolean subsMoved() {
        for (int s = 0; s < subs.size(); s++) {
            if (subs.get(s).alive() && !subMoved(s)) {
                return false;
            }
        }
        return true;
    }

    private boolean subMoved(int s) {
        Subscriber sub = subs.get(s);
        if (ring != null) {
            return sub.received() > receivedAtDeath.get(s);
        }
        for (int i = 0; i < pubs.size(); i++) {
            if (sub.next(pubs.get(i).id()) >= before.get(i) + 2) {
                return true;
            }
        }
        return false;
    }

    /** Who has not moved yet: publishers with their ledger, the ring's cursors, subscribers' counts. */
    String held() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < pubs.size(); i++) {
            Publisher pub = pubs.get(i);
            if (pub.publishing() && !pubMoved(i)) {
                text.append(pub.name()).append(ring != null ? " accepted " : " committed ").append(pub.ledger())
                    .append(" (at the death ").append(before.get(i)).append("); ");
            }
        }
        if (ring != null && cursorsAtDeath.isEmpty() && !ringMoved()) {
            text.append(String.format(Locale.ROOT, "the ring's tail %,d (at the death %,d); ", ring.tail(),
                tailAtDeath));
        }
        for (int slot : cursorsAtDeath) {
            if (!cursorMoved(slot)) {
                text.append(String.format(Locale.ROOT, "the ring's cursor %d at %,d (tail at the death %,d); ", slot,
                    ring.position(slot), tailAtDeath));
            }
        }
        for (int s = 0; s < subs.size(); s++) {
            Subscriber sub = subs.get(s);
            if (sub.alive() && !subMoved(s)) {
                text.append(sub.name()).append(" received ").append(sub.received());
                if (ring != null) {
                    text.append(" (at the death ").append(receivedAtDeath.get(s)).append(')');
                }
                text.append("; ");
            }
        }
        return text.toString();
    }

    /**
     * On a stream path, what the publishers' clients had accepted beyond the most any subscriber had
     * received of them at the death (their backlog in buffers and streams, which the shared-memory
     * measure would wait for); empty elsewhere. For the event log.
     */
    String backlogAtDeath() {
        if (ring == null) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < pubs.size(); i++) {
            long delivered = 0;
            for (Subscriber sub : subs) {
                delivered = Math.max(delivered, sub.next(pubs.get(i).id()));
            }
            text.append(text.isEmpty() ? "" : ", ").append(pubs.get(i).name()).append(' ')
                .append(Math.max(0, before.get(i) - delivered));
        }
        return text.isEmpty() ? "" : "messages accepted but not yet received by any subscriber at the death: " + text;
    }
}
