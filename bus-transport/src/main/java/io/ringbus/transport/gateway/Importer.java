package io.ringbus.transport.gateway;

import static io.ringbus.transport.gateway.GatewayHeaderDescriptor.BATCH_HEADER_LENGTH;
import static io.ringbus.transport.gateway.GatewayHeaderDescriptor.BYTE_ORDER;
import static io.ringbus.transport.gateway.GatewayHeaderDescriptor.ENTRY_HEADER_LENGTH;

import io.aeron.ControlledFragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.ringbus.core.LossListener;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.topic.ShmPublisher;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Publishes what one Aeron subscription receives into a local topic: a {@link ControlledFragmentAssembler}
 * rebuilds batches Aeron cut into fragments, and each message of a batch ({@link GatewayHeaderDescriptor}) is
 * copied into a claim of the local {@link Publisher}, in the order received (the source ring's order: one
 * exporter per stream).
 *
 * <p><b>Never waits.</b> {@link #doWork} runs on the gateway thread, in the same duty cycle as the media driver
 * ({@link GatewayDriver}): a message the local topic cannot take now is left in the subscription (the poll is
 * aborted there) and offered again on the next pass.
 *
 * <p><b>Back-pressure.</b> While the local topic is full (a tethered local subscriber is a ring behind), the
 * importer stops reading Aeron; Aeron's flow control then holds the exporter, and the exporter's policy decides
 * what happens on the source host (wait, or be evicted and skip).
 *
 * <p><b>Positions.</b> From the {@link GatewayHeaderDescriptor header}: a message whose <i>to</i> position is at
 * or below the last one published is a repeat (an exporter restarted after a kill sends again what it had not
 * committed) and is dropped; one whose <i>from</i> is past the last <i>to</i> follows a gap, reported to the
 * loss listener with the exact range of source ring bytes. The last position is kept in an {@link ImportPosition}
 * file after every commit: an importer killed and started again goes on from it, so that what the dead one never
 * got is reported as a gap and nothing is published twice.
 *
 * <p><b>One wake per fragment.</b> On a shared-memory topic each message is committed without looking for parked
 * subscribers ({@link ShmPublisher#commitDeferringWake}); at the end of each fragment, whether it was published
 * whole, aborted or failed, {@link ShmPublisher#wakeDeferred} looks once (a full fence and a load) and wakes
 * them. A parked subscriber is thus woken for every message committed, before the gateway thread goes on to
 * anything else (and so before it idles), at the cost of one fence per fragment (up to a datagram of messages)
 * instead of one per message.
 */
public final class Importer implements ControlledFragmentHandler {
    /**
     * The type of the notice an importer publishes into its local topic, in order, before the first message
     * after each gap: "LOSS" in ASCII. Its payload is text, {@code LOSS from=F to=T bytes=B} (source ring
     * positions, as in the gateway's LOSS line), so {@code ./bus sub} prints it as a line; a program tells it
     * from its own messages by this type. Every other message keeps the type its publisher gave it; a source
     * topic whose publishers use this type themselves makes their messages look like notices on the far side
     * (nothing is changed or dropped: pick another type).
     */
    public static final int LOSS_NOTICE_TYPE = 0x4C4F5353;

    /** Fragments read per poll at most. */
    static final int FRAGMENT_LIMIT = 256;

    private final Route route;
    private final Subscription subscription;
    private final Publisher publisher;
    /** {@link #publisher} when it is a shared-memory one, whose wakes can wait to the fragment's end; or null. */
    private final ShmPublisher deferring;
    private final RouteStats stats;
    private final LossListener report;
    private final Consumer<String> log;
    private final ImportPosition position;
    private final UnsafeBuffer target = new UnsafeBuffer(0, 0);
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this);
    private long sourceId;
    private long lastTo = -1;
    /** The from position of the batch last aborted, -1 when the last one was done with. */
    private long abortedBatchFrom = -1;
    private GatewayException failure;
    /** Messages published, and their payload bytes, in the fragment being handled (counted at its end). */
    private int fragmentMessages;
    private long fragmentBytes;

    /**
     * An importer of {@code route} from {@code subscription} into {@code publisher}.
     *
     * @param report told of each gap (the last position received, the next one, the bytes between), on the
     *     gateway thread
     * @param log where one-line notes go (a message dropped, a new source, a message a killed predecessor may
     *     not have published)
     * @param position where the last importer of this route stopped, kept up to date from now on
     */
    Importer(Route route, Subscription subscription, Publisher publisher, RouteStats stats,
        LossListener report, Consumer<String> log, ImportPosition position) {
        this.route = route;
        this.subscription = subscription;
        this.publisher = publisher;
        this.deferring = publisher instanceof ShmPublisher shm ? shm : null;
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

    /**
     * One pass, without waiting: publishes what the subscription holds (up to {@link #FRAGMENT_LIMIT} fragments)
     * until the local topic refuses one, which stays in the subscription for the next pass.
     *
     * @return the number of fragments consumed
     * @throws GatewayException when the local topic refused a message for good (closed, corrupt)
     */
    int doWork() {
        if (failure != null) {
            throw failure;
        }
        int fragments = subscription.controlledPoll(assembler, FRAGMENT_LIMIT);
        if (failure != null) {
            throw failure;
        }
        return fragments;
    }

    /** Messages published into the local topic so far (it only rises). */
    long published() {
        return stats.messages();
    }

    @Override
    public Action onFragment(DirectBuffer buffer, int offset, int length, Header header) {
        if (failure != null) {
            return Action.ABORT;
        }
        try {
            return publishBatch(buffer, offset, length);
        } finally {
            // However the fragment ended: every message committed in it is counted, and wakes its parked readers.
            if (fragmentMessages > 0) {
                stats.messages(fragmentMessages, fragmentBytes);
                fragmentMessages = 0;
                fragmentBytes = 0;
            }
            if (deferring != null) {
                deferring.wakeDeferred();
            }
        }
    }

    /** The messages of one fragment (see {@link #onFragment}). */
    private Action publishBatch(DirectBuffer buffer, int offset, int length) {
        int count = entriesOf(buffer, offset, length);
        if (count < 0) {
            stats.drop();
            log.accept("import " + route + ": dropped a message of " + length + " bytes that is not a gateway batch"
                + " (is something else publishing on this stream?)");
            return Action.CONTINUE;
        }
        long source = buffer.getLong(offset + GatewayHeaderDescriptor.SOURCE_ID_OFFSET, BYTE_ORDER);
        long batchFrom = buffer.getLong(offset + GatewayHeaderDescriptor.FROM_POSITION_OFFSET, BYTE_ORDER);
        if (source != sourceId) {
            if (lastTo >= 0) {
                log.accept("import " + route + ": the source topic changed (created again?): positions start over");
            }
            sourceId = source;
            lastTo = -1;
            position.reset(source);
        }
        // After an abort Aeron delivers the same batch again: its messages already published are no repeats.
        boolean again = batchFrom == abortedBatchFrom;
        long from = batchFrom;
        int entry = offset + BATCH_HEADER_LENGTH;
        for (int i = 0; i < count; i++) {
            int typeId = buffer.getInt(entry + GatewayHeaderDescriptor.ENTRY_TYPE_OFFSET, BYTE_ORDER);
            int payloadLength = buffer.getInt(entry + GatewayHeaderDescriptor.ENTRY_LENGTH_OFFSET, BYTE_ORDER);
            long to = buffer.getLong(entry + GatewayHeaderDescriptor.ENTRY_TO_POSITION_OFFSET, BYTE_ORDER);
            if (!onMessage(buffer, entry + ENTRY_HEADER_LENGTH, typeId, payloadLength, from, to, again)) {
                abortedBatchFrom = batchFrom;
                return Action.ABORT;
            }
            from = to;
            entry += GatewayHeaderDescriptor.entryLength(payloadLength);
        }
        abortedBatchFrom = -1;
        return Action.CONTINUE;
    }

    /**
     * The number of entries of a well-formed batch at {@code offset}: the magic, at least one entry, every entry
     * inside the message with a type of 0 or more, and the last one ending exactly at its end; -1 for anything
     * else.
     */
    private static int entriesOf(DirectBuffer buffer, int offset, int length) {
        if (length < BATCH_HEADER_LENGTH || buffer.getInt(offset + GatewayHeaderDescriptor.MAGIC_OFFSET, BYTE_ORDER)
            != GatewayHeaderDescriptor.MAGIC) {
            return -1;
        }
        int count = buffer.getInt(offset + GatewayHeaderDescriptor.COUNT_OFFSET, BYTE_ORDER);
        long at = BATCH_HEADER_LENGTH;
        for (int i = 0; i < count && at <= length; i++) {
            if (at + ENTRY_HEADER_LENGTH > length) {
                return -1;
            }
            int payloadLength = buffer.getInt(offset + (int) at + GatewayHeaderDescriptor.ENTRY_LENGTH_OFFSET,
                BYTE_ORDER);
            if (payloadLength < 0 || buffer.getInt(offset + (int) at + GatewayHeaderDescriptor.ENTRY_TYPE_OFFSET,
                BYTE_ORDER) < 0) { // negative types are the ring's own: no publisher may write one
                return -1;
            }
            // In longs: a hostile length near 2^31 must not wrap around.
            at += ENTRY_HEADER_LENGTH + (payloadLength + (long) GatewayHeaderDescriptor.ENTRY_ALIGNMENT - 1
                & -GatewayHeaderDescriptor.ENTRY_ALIGNMENT);
        }
        return count >= 1 && at == length ? count : -1;
    }

    /**
     * One message of a batch, between source positions {@code from} and {@code to}: dropped as a repeat,
     * preceded by a loss notice after a gap, or published.
     *
     * @param again whether its batch is delivered again after an abort (a message already published is then
     *     not counted as a repeat)
     * @return false when the local topic cannot take it (or the notice before it) now: the batch is aborted
     */
    private boolean onMessage(DirectBuffer buffer, int offset, int typeId, int payloadLength, long from, long to,
        boolean again) {
        if (lastTo >= 0 && to <= lastTo) {
            if (!again) {
                stats.countRepeat();
            }
            return true;
        }
        if (lastTo >= 0 && from > lastTo) {
            if (!lost(lastTo, from)) {
                return false;
            }
            // The gap is told: what follows it is accounted for up to here, also after an abort.
            lastTo = from;
            position.done(from);
        }
        if (payloadLength > publisher.maxMessageLength()) {
            if (!lost(from, to)) {
                return false;
            }
            stats.drop();
            log.accept("import " + route + ": dropped a message of " + payloadLength + " bytes, over the local"
                + " topic's maximum of " + publisher.maxMessageLength() + " (create the topic with a larger"
                + " --max-message before the gateway starts)");
            lastTo = to;
            position.done(to);
            return true;
        }
        if (!publish(buffer, offset, typeId, payloadLength, from, to)) {
            return false;
        }
        lastTo = to;
        position.done(to);
        fragmentMessages++;
        fragmentBytes += payloadLength;
        return true;
    }

    /**
     * Source positions {@code from} to {@code to} never arrived: published as a {@link #LOSS_NOTICE_TYPE} notice
     * in the local topic, where the messages would have been, then counted and told to the loss listener.
     *
     * @return false when the local topic cannot take the notice now (nothing counted: it is tried again) or
     *     refused it for good ({@link #failure} set)
     */
    private boolean lost(long from, long to) {
        byte[] text = ("LOSS from=" + from + " to=" + to + " bytes=" + (to - from)).getBytes(StandardCharsets.US_ASCII);
        long published = publisher.offer(LOSS_NOTICE_TYPE, MemorySegment.ofArray(text), 0, text.length);
        if (published < 0) {
            refused(published, "a loss notice");
            return false;
        }
        stats.loss(to - from);
        report.onLoss(from, to, to - from);
        return true;
    }

    /**
     * Copies the payload into a claim of the local topic.
     *
     * @return false when the topic cannot take it now, or refused it for good ({@link #failure} set)
     */
    private boolean publish(DirectBuffer buffer, int offset, int typeId, int length, long from, long to) {
        long claimed = publisher.tryClaim(typeId, length);
        if (claimed < 0) {
            refused(claimed, "a message");
            return false;
        }
        target.wrap(publisher.buffer().address() + publisher.payloadOffset(claimed), length);
        buffer.getBytes(offset, target, 0, length);
        position.pending(from, to);
        if (deferring != null) {
            deferring.commitDeferringWake(claimed); // woken at the fragment's end (see the class comment)
        } else {
            publisher.commit(claimed);
        }
        return true;
    }

    /** A refusal other than back-pressure is for good: the importer fails with it. */
    private void refused(long result, String what) {
        if (result != Result.BACK_PRESSURED) {
            failure = new GatewayException("cannot publish " + what + " into the local topic '" + route.topic()
                + "': " + Result.describe(result));
        }
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
