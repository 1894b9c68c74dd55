package io.ringbus.transport.gateway;

import static io.ringbus.transport.gateway.GatewayHeaderDescriptor.BYTE_ORDER;
import static io.ringbus.transport.gateway.GatewayHeaderDescriptor.HEADER_LENGTH;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.ringbus.core.LossListener;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.ring.MessageHandler;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Sends one local topic to an Aeron publication: a durable subscriber with explicit commits (named after the
 * route, {@link Route#durableName()}) whose handler puts each message, behind a
 * {@link GatewayHeaderDescriptor header}, into the publication, and which commits only once the publication
 * took every message of the batch.
 *
 * <p><b>Back-pressure.</b> While the publication is back-pressured or has no subscriber yet, the handler waits
 * and tries again: the exporter's cursor stays, and so a tethered exporter (the default) holds the topic's
 * publishers back once they are a ring ahead, as any slow tethered subscriber does. An evictable one
 * ({@code SlowConsumerPolicy.EVICT}) is evicted instead; it then sends on from where it resumes, and the jump
 * in positions tells the importer how many bytes it missed.
 *
 * <p><b>A kill.</b> A successor of the same route resumes at the last commit and sends again what was sent
 * after it; the importer drops those repeats by position. What the dead gateway's media driver held and had not
 * yet delivered is lost; the importer sees the gap and reports it. One thread runs {@link #run}.
 */
public final class Exporter implements MessageHandler, LossListener {
    /** Messages sent between two commits at most. */
    static final int BATCH = 256;
    private static final long WAIT_SLICE_NANOS = 100_000_000L;

    private final Route route;
    private final ExclusivePublication publication;
    private final LongSupplier sourceIdOf;
    private final RouteStats stats;
    private final LossListener report;
    private final BufferClaim claim = new BufferClaim();
    private final UnsafeBuffer header = new UnsafeBuffer(new byte[HEADER_LENGTH]);
    private final UnsafeBuffer payload = new UnsafeBuffer(0, 0);
    private final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
    private byte[] scratch = new byte[0];
    private Subscriber subscriber;
    private BooleanSupplier stop;
    private long from;
    private long sourceId;

    /**
     * An exporter of {@code route} into {@code publication}.
     *
     * @param sourceId what identifies the topic file (its inode number, see {@link GatewayHeaderDescriptor}),
     *     asked once subscribed (the topic exists then)
     * @param report told of each eviction (from, to, missed bytes), on this exporter's thread
     */
    Exporter(Route route, ExclusivePublication publication, LongSupplier sourceId, RouteStats stats,
        LossListener report) {
        this.route = route;
        this.publication = publication;
        this.sourceIdOf = sourceId;
        this.stats = stats;
        this.report = report;
    }

    /**
     * Sets how an exporter waits for its topic's next message: blocking (parked in the kernel, woken by the
     * publisher: nothing while idle, a futex wake per message after a pause) or, with {@code backoff}, polling
     * that spins, yields, then sleeps up to {@code maxParkNanos} (no wake to pay for, a little CPU while idle).
     */
    public static SubscriberConfig wakeup(SubscriberConfig config, boolean backoff, long maxParkNanos) {
        return backoff ? config.wakeup(WakeupMode.SPIN).idleStrategy(() -> new BackoffIdleStrategy(10, 20, 1_000,
            maxParkNanos)) : config.wakeup(WakeupMode.BLOCKING);
    }

    /** The durable, explicitly committed form of {@code config} this exporter needs, for {@code route}. */
    static SubscriberConfig configure(SubscriberConfig config, Route route, LossListener listener) {
        return config.durableName(route.durableName()).explicitCommit(true).lossListener(listener);
    }

    /**
     * Subscribes through {@code subscribe} (given this exporter as the loss listener to set with
     * {@link #configure}) and sends until {@code stop} says so. Commits after every batch the publication took
     * whole; closes the subscriber.
     *
     * @throws GatewayException when the publication is closed, or a message is over its maximum
     */
    void run(Function<LossListener, Subscriber> subscribe, BooleanSupplier stop) {
        this.stop = stop;
        subscriber = subscribe.apply(this);
        try {
            sourceId = sourceIdOf.getAsLong();
            from = subscriber.position();
            while (!stop.getAsBoolean()) {
                int sent;
                try {
                    sent = subscriber.await(this, BATCH, WAIT_SLICE_NANOS);
                } catch (Stopped stopped) {
                    break; // the message in hand was not sent: no commit, a successor sends the batch again
                }
                if (sent > 0) {
                    subscriber.commit(); // every message delivered is in the publication
                }
            }
        } finally {
            subscriber.close();
        }
    }

    @Override
    public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
        long to = subscriber.position(); // right after this message, inside the handler
        wrapPayload(buffer, offset, length);
        int total = HEADER_LENGTH + length;
        if (total > publication.maxMessageLength()) {
            throw new GatewayException("a message of " + length + " bytes on topic '" + route.topic() + "' is over"
                + " what the Aeron publication takes (" + (publication.maxMessageLength() - HEADER_LENGTH)
                + " bytes: an eighth of its term length): give the gateway a --term-length of at least "
                + Integer.highestOneBit(total * 8 - 1) * 2 + " on both hosts' drivers");
        }
        header.putInt(GatewayHeaderDescriptor.MAGIC_OFFSET, GatewayHeaderDescriptor.MAGIC, BYTE_ORDER);
        header.putInt(GatewayHeaderDescriptor.TYPE_OFFSET, typeId, BYTE_ORDER);
        header.putLong(GatewayHeaderDescriptor.SOURCE_ID_OFFSET, sourceId, BYTE_ORDER);
        header.putLong(GatewayHeaderDescriptor.FROM_POSITION_OFFSET, from, BYTE_ORDER);
        header.putLong(GatewayHeaderDescriptor.TO_POSITION_OFFSET, to, BYTE_ORDER);
        boolean claimable = total <= publication.maxPayloadLength();
        idle.reset();
        while (true) {
            long result = claimable ? claimAndWrite(total, length) : publication.offer(header, 0, HEADER_LENGTH,
                payload, 0, length);
            if (result > 0) {
                break;
            }
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                throw new GatewayException("the Aeron publication of " + route + " is "
                    + (result == Publication.CLOSED ? "closed (did the media driver stop?)"
                    : "at its maximum position (restart the gateway: a new publication starts afresh)"));
            }
            if (stop.getAsBoolean()) {
                throw Stopped.INSTANCE;
            }
            idle.idle(); // back-pressured, not connected yet, or an admin action: the message waits
        }
        from = to;
        stats.message(length);
    }

    /** Zero-copy into the term: the header, then the payload, then commit. */
    private long claimAndWrite(int total, int length) {
        long result = publication.tryClaim(total, claim);
        if (result > 0) {
            MutableDirectBuffer target = claim.buffer();
            int at = claim.offset();
            target.putBytes(at, header, 0, HEADER_LENGTH);
            target.putBytes(at + HEADER_LENGTH, payload, 0, length);
            claim.commit();
        }
        return result;
    }

    /** Points {@link #payload} at the message: in place in the ring, or through a copy for a heap segment. */
    private void wrapPayload(MemorySegment buffer, long offset, int length) {
        if (offset < 0 || offset > buffer.byteSize() - length) {
            throw new IndexOutOfBoundsException("payload [" + offset + ", +" + length + ") outside the ring");
        }
        if (buffer.isNative()) {
            payload.wrap(buffer.address() + offset, length);
        } else {
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, scratch.length * 2)];
            }
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, offset, scratch, 0, length);
            payload.wrap(scratch, 0, length);
        }
    }

    /** Evicted: the positions jump from where this exporter was to where it resumes, which the importer sees. */
    @Override
    public void onLoss(long fromPosition, long toPosition, long missedBytes) {
        from = toPosition;
        stats.loss(missedBytes);
        report.onLoss(fromPosition, toPosition, missedBytes);
    }

    /** The route. */
    Route route() {
        return route;
    }

    /** Where this exporter resumed or started (valid once {@link #run} subscribed). */
    long startPosition() {
        return subscriber == null ? -1 : subscriber.position();
    }

    /** Whether the publication has a subscriber (the importer is there). */
    boolean connected() {
        return publication.isConnected();
    }

    /** Unwinds a handler waiting on back-pressure when the gateway stops. */
    private static final class Stopped extends RuntimeException {
        static final Stopped INSTANCE = new Stopped();

        private Stopped() {
            super(null, null, false, false);
        }
    }
}
