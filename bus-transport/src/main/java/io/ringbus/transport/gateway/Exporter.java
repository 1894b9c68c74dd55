package io.ringbus.transport.gateway;

import static io.ringbus.transport.gateway.GatewayHeaderDescriptor.BATCH_HEADER_LENGTH;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.ringbus.core.LossListener;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.ring.MessageHandler;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Sends one local topic to an Aeron publication: a durable subscriber with explicit commits (named after the
 * route, {@link Route#durableName()}) whose handler copies each message into a batch
 * ({@link GatewayHeaderDescriptor}: as many messages as fill one datagram), offered to the publication when the
 * next message would not fit and at the end of each poll; it commits only once the publication took every
 * message delivered so far.
 *
 * <p><b>Never waits.</b> {@link #doWork} runs on the gateway thread, in the same duty cycle as the media driver
 * ({@link GatewayDriver}): it polls the ring without waiting and offers each batch once. A batch the
 * publication refuses (back-pressured, no subscriber yet, an admin action) is kept aside, the poll stops, and
 * the next pass offers it again before it reads on; nothing is committed while one is kept aside.
 *
 * <p><b>Back-pressure.</b> While the publication refuses, the exporter's committed cursor stays, and so a
 * tethered exporter (the default) holds the topic's publishers back once they are a ring ahead, as any slow
 * tethered subscriber does. An evictable one ({@code SlowConsumerPolicy.EVICT}) is evicted instead; it then
 * sends on from where it resumes, and the jump in positions tells the importer how many bytes it missed.
 *
 * <p><b>A kill.</b> A successor of the same route resumes at the last commit and sends again what was sent
 * after it; the importer drops those repeats by position. What the dead gateway's media driver held and had not
 * yet delivered is lost; the importer sees the gap and reports it.
 */
public final class Exporter implements MessageHandler, LossListener {
    /** Messages sent between two commits at most. */
    static final int BATCH = 256;

    private final Route route;
    private final ExclusivePublication publication;
    private final LongSupplier sourceIdOf;
    private final RouteStats stats;
    private final LossListener report;
    private final UnsafeBuffer payload = new UnsafeBuffer(0, 0);
    /** The batch being filled; {@link #keptAside} holds one the publication refused (empty when none). */
    private ExportBatch building = new ExportBatch();
    private ExportBatch keptAside = new ExportBatch();
    private byte[] scratch = new byte[0];
    private Subscriber subscriber;
    private long from;
    private long sourceId;

    /**
     * An exporter of {@code route} into {@code publication}.
     *
     * @param sourceId what identifies the topic file (its inode number, see {@link GatewayHeaderDescriptor}),
     *     asked once subscribed (the topic exists then)
     * @param report told of each eviction (from, to, missed bytes), on the gateway thread
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
     * The durable, explicitly committed form of {@code config} this exporter needs, for {@code route}; it polls
     * ({@link WakeupMode#SPIN}: it never parks, the gateway thread's idle strategy paces it).
     */
    static SubscriberConfig configure(SubscriberConfig config, Route route, LossListener listener) {
        return config.durableName(route.durableName()).explicitCommit(true).lossListener(listener)
            .wakeup(WakeupMode.SPIN);
    }

    /**
     * Subscribes through {@code subscribe} (given this exporter as the loss listener to set with
     * {@link #configure}); call once, before the first {@link #doWork}.
     */
    void open(Function<LossListener, Subscriber> subscribe) {
        subscriber = subscribe.apply(this);
        sourceId = sourceIdOf.getAsLong();
        from = subscriber.position();
    }

    /**
     * One pass, without waiting: offers what was kept aside if anything was, then batches what is ready (up to
     * {@link #BATCH} messages), offers the batches, and commits once the publication took all of it.
     *
     * @return the number of messages sent
     * @throws GatewayException when the publication is closed, or a message is over its maximum
     */
    int doWork() {
        int sent = 0;
        if (!keptAside.isEmpty()) {
            if (!offered(keptAside)) {
                return 0;
            }
            sent += keptAside.count();
            keptAside.clear();
        }
        if (!building.isEmpty()) { // the message in hand when the last batch was refused
            int inHand = building.count();
            if (!offer()) {
                return sent;
            }
            sent += inHand;
        }
        int delivered;
        try {
            delivered = subscriber.poll(this, BATCH);
        } catch (Refused refused) {
            return sent; // kept aside: nothing commits until the publication took it
        }
        if (!building.isEmpty() && !offer()) {
            return sent;
        }
        sent += delivered;
        if (sent > 0) {
            subscriber.commit(); // every message delivered is in the publication
        }
        return sent;
    }

    /** Offers the batch being built; refused, it is kept aside (false). */
    private boolean offer() {
        if (offered(building)) {
            building.clear();
            return true;
        }
        ExportBatch refused = building;
        building = keptAside;
        keptAside = refused;
        return false;
    }

    /**
     * Whether the publication took {@code batch}; false when it refused it for now.
     *
     * @throws GatewayException when it never will (closed, or at its maximum position)
     */
    private boolean offered(ExportBatch batch) {
        long result = publication.offer(batch.buffer(), 0, batch.length());
        if (result > 0) {
            stats.messages(batch.count(), batch.payloadBytes());
            return true;
        }
        if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
            throw new GatewayException("the Aeron publication of " + route + " is "
                + (result == Publication.CLOSED ? "closed (did the media driver stop?)"
                : "at its maximum position (restart the gateway: a new publication starts afresh)"));
        }
        return false; // back-pressured, not connected yet, or an admin action: the batch waits
    }

    /** Closes the subscriber (a message kept aside is not committed: a successor sends it again). */
    void close() {
        if (subscriber != null) {
            subscriber.close();
        }
    }

    @Override
    public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
        long to = subscriber.position(); // right after this message, inside the handler
        int entry = GatewayHeaderDescriptor.entryLength(length);
        if (BATCH_HEADER_LENGTH + entry > publication.maxMessageLength()) {
            throw new GatewayException("a message of " + length + " bytes on topic '" + route.topic() + "' is over"
                + " what the Aeron publication takes (" + (publication.maxMessageLength() - BATCH_HEADER_LENGTH
                - GatewayHeaderDescriptor.ENTRY_HEADER_LENGTH) + " bytes: an eighth of its term length): give the"
                + " gateway a --term-length of at least "
                + Integer.highestOneBit((BATCH_HEADER_LENGTH + entry) * 8 - 1) * 2 + " on both hosts' drivers");
        }
        // A batch fills one datagram at most (a longer message goes alone, in fragments).
        boolean refused = !building.isEmpty() && building.length() + entry > publication.maxPayloadLength()
            && !offer();
        wrapPayload(buffer, offset, length);
        building.add(sourceId, from, typeId, to, payload, length);
        from = to;
        if (refused) {
            throw Refused.INSTANCE; // the refused batch is kept aside, this message waits in the next one
        }
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

    /** Where this exporter resumed or started (valid once {@link #open} subscribed). */
    long startPosition() {
        return subscriber == null ? -1 : subscriber.position();
    }

    /** Whether the publication has a subscriber (the importer is there). */
    boolean connected() {
        return publication.isConnected();
    }

    /** Ends a poll at the batch the publication refused (kept aside; the poll reads no further). */
    private static final class Refused extends RuntimeException {
        static final Refused INSTANCE = new Refused();

        private Refused() {
            super(null, null, false, false);
        }
    }
}
