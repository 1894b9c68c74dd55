package io.ringbus.transport.gateway;

import static io.ringbus.transport.gateway.GatewayHeaderDescriptor.BYTE_ORDER;
import static io.ringbus.transport.gateway.GatewayHeaderDescriptor.HEADER_LENGTH;

import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.ringbus.core.LossListener;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Publishes what one Aeron subscription receives into a local topic: a {@link FragmentAssembler} rebuilds
 * messages Aeron cut into fragments, and each one's payload is copied into a claim of the local
 * {@link Publisher}, in the order received (the source ring's order: one exporter per stream).
 *
 * <p><b>Back-pressure.</b> While the local topic is full (a tethered local subscriber is a ring behind), the
 * importer waits and stops reading Aeron; Aeron's flow control then holds the exporter, and the exporter's
 * policy decides what happens on the source host (wait, or be evicted and skip).
 *
 * <p><b>Positions.</b> From the {@link GatewayHeaderDescriptor header}: a message whose <i>to</i> position is at
 * or below the last one published is a repeat (an exporter restarted after a kill sends again what it had not
 * committed) and is dropped; one whose <i>from</i> is past the last <i>to</i> follows a gap, reported to the
 * loss listener with the exact range of source ring bytes. The last position is kept in an {@link ImportPosition}
 * file after every commit: an importer killed and started again goes on from it, so that what the dead one never
 * got is reported as a gap and nothing is published twice. One thread runs {@link #run}.
 */
public final class Importer implements FragmentHandler {
    /**
     * The type of the notice an importer publishes into its local topic, in order, before the first message
     * after each gap: "LOSS" in ASCII. Its payload is text, {@code LOSS from=F to=T bytes=B} (source ring
     * positions, as in the gateway's LOSS line), so {@code ./bus sub} prints it as a line; a program tells it
     * from its own messages by this type (messages of type 0 are everything else an importer publishes).
     */
    public static final int LOSS_NOTICE_TYPE = 0x4C4F5353;

    /** Fragments read per poll at most. */
    static final int FRAGMENT_LIMIT = 256;

    private final Route route;
    private final Subscription subscription;
    private final Publisher publisher;
    private final RouteStats stats;
    private final LossListener report;
    private final Consumer<String> log;
    private final ImportPosition position;
    private final UnsafeBuffer target = new UnsafeBuffer(0, 0);
    private final IdleStrategy pollIdle;
    private final IdleStrategy publishIdle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
    private BooleanSupplier stop;
    private long sourceId;
    private long lastTo = -1;
    private GatewayException failure;

    /**
     * An importer of {@code route} from {@code subscription} into {@code publisher}.
     *
     * @param report told of each gap (the last position received, the next one, the bytes between), on this
     *     importer's thread
     * @param log where one-line notes go (a message dropped, a new source, a message a killed predecessor may
     *     not have published)
     * @param position where the last importer of this route stopped, kept up to date from now on
     * @param maxParkNanos the longest sleep between two polls of an idle subscription
     */
    Importer(Route route, Subscription subscription, Publisher publisher, RouteStats stats,
        LossListener report, Consumer<String> log, ImportPosition position, long maxParkNanos) {
        this.pollIdle = new BackoffIdleStrategy(10, 20, 1_000, maxParkNanos);
        this.route = route;
        this.subscription = subscription;
        this.publisher = publisher;
        this.stats = stats;
        this.report = report;
        this.log = log;
        this.position = position;
        sourceId = position.sourceId();
        lastTo = position.lastTo();
        if (position.pendingTo() > lastTo) {
            // The predecessor died between the commit and the position's update: it cannot be told which.
            log.accept("UNSURE import " + route + ": source positions " + position.pendingFrom() + " to "
                + position.pendingTo() + " may or may not have arrived (the importer before this one was killed"
                + " while publishing them)");
            lastTo = position.pendingTo();
            position.done(lastTo);
        }
    }

    /** Receives and publishes until {@code stop} says so. */
    void run(BooleanSupplier stop) {
        this.stop = stop;
        FragmentAssembler assembler = new FragmentAssembler(this);
        // A handler never throws through Aeron's poll (which may hand exceptions to an error handler): it notes
        // a failure here, and a stop leaves the message in hand unpublished (its exporter had it committed
        // already: see GATEWAY.md).
        while (!stop.getAsBoolean() && failure == null) {
            pollIdle.idle(subscription.poll(assembler, FRAGMENT_LIMIT));
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void onFragment(DirectBuffer buffer, int offset, int length, Header header) {
        if (failure != null || stop.getAsBoolean()) {
            return;
        }
        if (length < HEADER_LENGTH || buffer.getInt(offset + GatewayHeaderDescriptor.MAGIC_OFFSET, BYTE_ORDER)
            != GatewayHeaderDescriptor.MAGIC) {
            stats.drop();
            log.accept("import " + route + ": dropped a message of " + length + " bytes that has no gateway header"
                + " (is something else publishing on this stream?)");
            return;
        }
        long source = buffer.getLong(offset + GatewayHeaderDescriptor.SOURCE_ID_OFFSET, BYTE_ORDER);
        long from = buffer.getLong(offset + GatewayHeaderDescriptor.FROM_POSITION_OFFSET, BYTE_ORDER);
        long to = buffer.getLong(offset + GatewayHeaderDescriptor.TO_POSITION_OFFSET, BYTE_ORDER);
        if (source != sourceId) {
            if (lastTo >= 0) {
                log.accept("import " + route + ": the source topic changed (created again?): positions start over");
            }
            sourceId = source;
            lastTo = -1;
            position.reset(source);
        }
        if (lastTo >= 0 && to <= lastTo) {
            stats.countRepeat();
            return;
        }
        if (lastTo >= 0 && from > lastTo && !lost(lastTo, from)) {
            return;
        }
        int payloadLength = length - HEADER_LENGTH;
        if (payloadLength > publisher.maxMessageLength()) {
            stats.drop();
            log.accept("import " + route + ": dropped a message of " + payloadLength + " bytes, over the local"
                + " topic's maximum of " + publisher.maxMessageLength() + " (create the topic with a larger"
                + " --max-message before the gateway starts)");
            if (!lost(from, to)) {
                return;
            }
            lastTo = to;
            position.done(to);
            return;
        }
        if (publish(buffer, offset + HEADER_LENGTH, payloadLength, from, to)) {
            lastTo = to;
            position.done(to);
            stats.message(payloadLength);
        }
    }

    /**
     * Source positions {@code from} to {@code to} never arrived: counted, told to the loss listener, and
     * published as a {@link #LOSS_NOTICE_TYPE} notice in the local topic, where the messages would have been.
     *
     * @return false when the gateway stopped or failed before the notice was published
     */
    private boolean lost(long from, long to) {
        stats.loss(to - from);
        report.onLoss(from, to, to - from);
        byte[] text = ("LOSS from=" + from + " to=" + to + " bytes=" + (to - from)).getBytes(StandardCharsets.US_ASCII);
        MemorySegment notice = MemorySegment.ofArray(text);
        publishIdle.reset();
        long published;
        while ((published = publisher.offer(LOSS_NOTICE_TYPE, notice, 0, text.length)) < 0) {
            if (published != Result.BACK_PRESSURED) {
                failure = new GatewayException("cannot publish a loss notice into the local topic '" + route.topic()
                    + "': " + Result.describe(published));
                return false;
            }
            if (stop.getAsBoolean()) {
                return false;
            }
            publishIdle.idle();
        }
        return true;
    }

    /**
     * Copies the payload into a claim of the local topic, waiting while it is full.
     *
     * @return false when the gateway stopped or failed first (nothing published)
     */
    private boolean publish(DirectBuffer buffer, int offset, int length, long from, long to) {
        publishIdle.reset();
        long claimed;
        while ((claimed = publisher.tryClaim(length)) < 0) {
            if (claimed != Result.BACK_PRESSURED) {
                failure = new GatewayException("cannot publish into the local topic '" + route.topic() + "': "
                    + Result.describe(claimed));
                return false;
            }
            if (stop.getAsBoolean()) {
                return false;
            }
            publishIdle.idle();
        }
        target.wrap(publisher.buffer().address() + publisher.payloadOffset(claimed), length);
        buffer.getBytes(offset, target, 0, length);
        position.pending(from, to);
        publisher.commit(claimed);
        return true;
    }

    /** The source position after the last message published, or -1 before the first (read on this thread). */
    long lastPosition() {
        return lastTo;
    }

    /** The route. */
    Route route() {
        return route;
    }

    /** Whether a publication is connected to this subscription (the exporter is there). */
    boolean connected() {
        return subscription.isConnected();
    }
}
