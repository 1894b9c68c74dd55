package io.ringbus.core.topic;

import io.ringbus.core.LostPages;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.RingBusException;
import io.ringbus.core.SlotsExhaustedException;
import io.ringbus.core.os.Processes;
import io.ringbus.core.os.WallClock;
import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.RecordDescriptor;
import io.ringbus.core.ring.RingWriter;
import io.ringbus.core.ring.internal.ClaimIntent;
import io.ringbus.core.ring.internal.CrashPoints;
import io.ringbus.core.ring.internal.Memory;
import io.ringbus.core.ring.internal.RingSlots;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A publisher on a shared-memory topic: a publisher slot owned through an OS-released lock, and a
 * ring writer whose claim markers name that slot and its generation. While it is open, a commit is
 * one release store ({@link RingWriter#commitWhileOwned}: no subscriber pads the claims of a live
 * slot owner); once closed, a late commit is the compare-and-set that loses to a recovery. After
 * each commit, on topics with wakeup, it looks for parked subscribers (one fence and one load; a
 * system call only when some subscriber is parked). When back-pressured it sweeps away dead subscribers and evicts
 * stalled evictable ones, at most every {@link SlotSweeper#SWEEP_INTERVAL_NANOS}.
 */
public final class ShmPublisher implements Publisher {
    private final TopicFile topic;
    private final int slotIndex;
    private final long slotOffset;
    private final RingWriter writer;
    private final boolean wakeup;
    /** Whether each message starts with its publish time; then {@link #clock} stamps it. */
    private final boolean timestamps;
    private final int stampLength;
    private final WallClock clock;
    /** Ring-level lengths of a batch on a timestamped topic (grown, never per message). */
    private int[] stampedLengths = new int[0];
    private final MemorySegment header;
    private final SlotSweeper sweeper;
    private final Runnable onClose;
    private boolean closed;
    /**
     * A message was committed by {@link #offerDeferringWake} or {@link #commitDeferringWake} and parked
     * subscribers were not looked for yet.
     */
    private boolean wakeDeferred;

    /** Takes a publisher slot of {@code topic}. */
    public ShmPublisher(TopicFile topic, Runnable onClose) {
        this.topic = topic;
        this.header = topic.segment();
        this.wakeup = topic.wakeup();
        this.timestamps = topic.timestamps();
        this.stampLength = timestamps ? TopicDescriptor.TIMESTAMP_LENGTH : 0;
        this.clock = timestamps ? new WallClock() : null;
        this.onClose = onClose;
        this.slotIndex = takeSlot(topic);
        this.slotOffset = TopicDescriptor.publisherSlotOffset(slotIndex);
        int generation = header.get(ValueLayout.JAVA_INT, slotOffset + PublisherSlotDescriptor.GENERATION_OFFSET);
        int ownerId = PublisherSlotDescriptor.ownerId(slotIndex, generation);
        // A single producer notes no claim intent: its only claim that can lack a marker is its last one,
        // which ends at the tail (see DeadClaims). Two stores per message fewer, on a line of their own:
        // +5% (2-9%) one-to-one across processes, in alternated pairs (issue 13).
        ClaimIntent intent = topic.producerMode() == ProducerMode.SINGLE ? null
            : new ClaimIntent(header, slotOffset + PublisherSlotDescriptor.INTENT_POSITION_OFFSET);
        this.writer = RingSlots.newWriter(topic.ring(), ownerId, intent);
        this.sweeper = new SlotSweeper(topic);
    }

    /**
     * Takes a FREE slot, or the slot of a dead publisher (its lock no longer held). A slot taken from
     * a dead owner gets a new generation, after its last intended claim is padded if it needs to be.
     */
    private static int takeSlot(TopicFile topic) {
        MemorySegment header = topic.segment();
        int slots = topic.publisherSlots();
        for (int i = 0; i < slots; i++) {
            long slot = TopicDescriptor.publisherSlotOffset(i);
            long stateOffset = slot + PublisherSlotDescriptor.STATE_OFFSET;
            int state = Memory.getIntVolatile(header, stateOffset);
            if (state == PublisherSlotDescriptor.FREE && Memory.casInt(header, stateOffset,
                PublisherSlotDescriptor.FREE, PublisherSlotDescriptor.ACTIVE)) {
                if (topic.file().tryLockByte(TopicDescriptor.publisherLockByte(i))) {
                    claimSlot(topic, i);
                    return i;
                }
                continue;
            }
            if (state == PublisherSlotDescriptor.ACTIVE
                && topic.file().tryLockByte(TopicDescriptor.publisherLockByte(i))) {
                DeadClaims.padIntentOfDeadPublisher(topic, i);
                claimSlot(topic, i);
                return i;
            }
        }
        boolean single = topic.producerMode() == ProducerMode.SINGLE;
        String why = single
            ? "is single-producer and already has a live publisher" + ownerOf(topic, 0)
            : "has all " + slots + " publisher slots held by live publishers";
        throw new SlotsExhaustedException(topic.name(), true, slots, "Topic '" + topic.name() + "' " + why
            + ". Close a publisher, or create the topic" + (single ? " in MANY producer mode."
            : " with more publisher slots (TopicConfig.maxPublishers; through a bridge, the hello option"
            + " maxPublishers=N of the first client)."), null);
    }

    private static String ownerOf(TopicFile topic, int slot) {
        int pid = topic.segment().get(ValueLayout.JAVA_INT,
            TopicDescriptor.publisherSlotOffset(slot) + PublisherSlotDescriptor.PID_OFFSET);
        return " (pid " + pid + ")";
    }

    private static void claimSlot(TopicFile topic, int index) {
        MemorySegment header = topic.segment();
        long slot = TopicDescriptor.publisherSlotOffset(index);
        int generation = header.get(ValueLayout.JAVA_INT, slot + PublisherSlotDescriptor.GENERATION_OFFSET);
        header.set(ValueLayout.JAVA_INT, slot + PublisherSlotDescriptor.GENERATION_OFFSET,
            PublisherSlotDescriptor.nextGeneration(generation));
        long pid = Processes.currentPid();
        header.set(ValueLayout.JAVA_INT, slot + PublisherSlotDescriptor.PID_OFFSET, (int) pid);
        header.set(ValueLayout.JAVA_LONG, slot + PublisherSlotDescriptor.START_TIME_OFFSET,
            Processes.startTime(pid).orElse(0));
        header.set(ValueLayout.JAVA_LONG, slot + PublisherSlotDescriptor.INTENT_POSITION_OFFSET, -1L);
        header.set(ValueLayout.JAVA_INT, slot + PublisherSlotDescriptor.INTENT_LENGTH_OFFSET, 0);
        Memory.setIntVolatile(header, slot + PublisherSlotDescriptor.STATE_OFFSET, PublisherSlotDescriptor.ACTIVE);
    }

    // Each public call that touches the mapping has one try, turning the InternalError of a lost page
    // into a typed error through LostPages. Once the JIT inlines a call into its caller's loop, HotSpot
    // usually raises that error past the call (see LostPages); the catch costs nothing either way.

    @Override
    public long offer(MemorySegment source, long offset, int length) {
        return offer(0, source, offset, length);
    }

    @Override
    public long offer(int typeId, MemorySegment source, long offset, int length) {
        try {
            long position = copyAndCommit(typeId, source, offset, length);
            if (position >= 0) {
                wakeParked();
            }
            return position;
        } catch (InternalError fault) {
            throw LostPages.typed(fault, topic.path());
        }
    }

    /** Claims, copies and commits one message, waking nobody: the position, or the claim's refusal. */
    private long copyAndCommit(int typeId, MemorySegment source, long offset, int length) {
        long position = claim(typeId, length);
        if (position >= 0) {
            if (CrashPoints.ENABLED) {
                copyWithCrashPoints(source, offset, position, length);
            } else {
                MemorySegment.copy(source, offset, writer.buffer(), payloadOffset(position), length);
            }
            commitRecord(position);
        }
        return position;
    }

    @Override
    public long offer(byte[] source, int offset, int length) {
        if (CrashPoints.ENABLED) {
            return offer(MemorySegment.ofArray(source), offset, length);
        }
        try {
            long position = claim(0, length);
            if (position >= 0) {
                MemorySegment.copy(source, offset, writer.buffer(), ValueLayout.JAVA_BYTE,
                    payloadOffset(position), length);
                publish(position);
            }
            return position;
        } catch (InternalError fault) {
            throw LostPages.typed(fault, topic.path());
        }
    }

    @Override
    public long offerBatch(MemorySegment source, long offset, int[] lengths, int count) {
        long total = 0;
        for (int i = 0; i < Math.min(count, lengths.length); i++) {
            total += lengths[i];
        }
        if (offset < 0 || total > source.byteSize() - offset) {
            throw new IllegalArgumentException("a batch of " + total + " bytes from offset " + offset
                + " runs past the end of its source of " + source.byteSize() + " bytes");
        }
        if (closed) {
            return Result.CLOSED;
        }
        try {
            int[] ringLengths = timestamps ? stampedLengths(lengths, count) : lengths;
            long first = writer.tryClaimBatch(0, ringLengths, count);
            if (first == Result.BACK_PRESSURED) {
                sweeper.onBackPressure();
            }
            if (first < 0) {
                return first;
            }
            MemorySegment ring = writer.buffer();
            long from = offset;
            long position = first;
            for (int i = 0; i < count; i++) {
                stamp(position);
                MemorySegment.copy(source, from, ring, payloadOffset(position), lengths[i]);
                from += lengths[i];
                position += RecordDescriptor.recordLength(ringLengths[i]);
            }
            // In position order: a subscriber stops at the first record not yet committed.
            position = first;
            for (int i = 0; i < count; i++) {
                commitRecord(position);
                position += RecordDescriptor.recordLength(ringLengths[i]);
            }
            wakeParked();
            return first;
        } catch (InternalError fault) {
            throw LostPages.typed(fault, topic.path());
        }
    }

    /** The batch's lengths with the publish time added; checked here, as the ring would see only the sums. */
    private int[] stampedLengths(int[] lengths, int count) {
        if (count < 1 || count > lengths.length) {
            throw new IllegalArgumentException("batch of " + count + " messages, from " + lengths.length
                + " lengths; at least one, at most as many as there are lengths");
        }
        if (stampedLengths.length < count) {
            stampedLengths = new int[Math.max(count, 2 * stampedLengths.length)];
        }
        for (int i = 0; i < count; i++) {
            checkLength(lengths[i]);
            stampedLengths[i] = lengths[i] + stampLength;
        }
        return stampedLengths;
    }

    private void checkLength(int length) {
        if (length < 0 || length > maxMessageLength()) {
            throw new IllegalArgumentException("message of " + length + " bytes is outside [0, " + maxMessageLength()
                + "], the largest message of topic '" + topic.name() + "' (its records also hold a publish time)");
        }
    }

    /**
     * {@link #offer(int, MemorySegment, long, int)}, except that parked subscribers are not woken: the caller
     * owes a {@link #wakeDeferred()} after the last message of the run, before it waits for anything or
     * gives up its thread. A bridge publishing the frames of one read wakes subscribers once per read
     * instead of once per frame (a futex wake per frame cost it half its time).
     *
     * <p>No wakeup is lost: a subscriber parks by announcing itself, then polling once more; the full
     * fence in {@code wakeDeferred} orders every commit of the run before the load of the parked count, so
     * either that poll sees the messages or {@code wakeDeferred} sees the subscriber and posts it.
     */
    public long offerDeferringWake(int typeId, MemorySegment source, long offset, int length) {
        try {
            long position = copyAndCommit(typeId, source, offset, length);
            if (position >= 0) {
                wakeDeferred = true;
            }
            return position;
        } catch (InternalError fault) {
            throw LostPages.typed(fault, topic.path());
        }
    }

    /**
     * {@link #commit(long)}, except that parked subscribers are not woken, as with
     * {@link #offerDeferringWake}: the caller owes a {@link #wakeDeferred()} after the last message of the
     * run, before it waits for anything or gives up its thread. A gateway's importer copying the messages of
     * one Aeron fragment into claims pays one fence per fragment instead of one per message.
     */
    public void commitDeferringWake(long position) {
        try {
            commitRecord(position);
            wakeDeferred = true;
        } catch (InternalError fault) {
            throw LostPages.typed(fault, topic.path());
        }
    }

    /**
     * Wakes the subscribers parked while messages were committed by {@link #offerDeferringWake} or
     * {@link #commitDeferringWake}; nothing (not even a fence) if no such message was committed since the
     * last call.
     */
    public void wakeDeferred() {
        if (wakeDeferred) {
            wakeDeferred = false;
            try {
                wakeParked();
            } catch (InternalError fault) {
                throw LostPages.typed(fault, topic.path());
            }
        }
    }

    private void copyWithCrashPoints(MemorySegment source, long offset, long position, int length) {
        CrashPoints.reach("afterClaim");
        int half = length / 2;
        MemorySegment.copy(source, offset, writer.buffer(), payloadOffset(position), half);
        CrashPoints.reach("midPayload");
        MemorySegment.copy(source, offset + half, writer.buffer(), payloadOffset(position) + half,
            length - half);
        CrashPoints.reach("beforeCommit");
    }

    @Override
    public long tryClaim(int length) {
        try {
            return claim(0, length);
        } catch (InternalError fault) {
            throw LostPages.typed(fault, topic.path());
        }
    }

    @Override
    public long tryClaim(int typeId, int length) {
        try { // the writer refuses a negative type
            return claim(typeId, length);
        } catch (InternalError fault) {
            throw LostPages.typed(fault, topic.path());
        }
    }

    @Override
    public void commit(long position) {
        try {
            publish(position);
        } catch (InternalError fault) {
            throw LostPages.typed(fault, topic.path());
        }
    }

    @Override
    public void abort(long position) {
        try {
            writer.abort(position);
        } catch (InternalError fault) {
            throw LostPages.typed(fault, topic.path());
        }
    }

    private long claim(int typeId, int length) {
        if (closed) {
            return Result.CLOSED;
        }
        if (timestamps) {
            checkLength(length);
        }
        long position = writer.tryClaim(typeId, length + stampLength);
        if (position == Result.BACK_PRESSURED) {
            sweeper.onBackPressure();
        } else if (timestamps && position >= 0) {
            stamp(position);
        }
        return position;
    }

    /** Writes the publish time in front of the claimed message at {@code position}. */
    private void stamp(long position) {
        if (timestamps) {
            writer.buffer().set(ValueLayout.JAVA_LONG, writer.payloadOffset(position), clock.epochNanos());
        }
    }

    private void publish(long position) {
        commitRecord(position);
        wakeParked();
    }

    private void commitRecord(long position) {
        if (closed) {
            // Closed with this claim still open: the slot is FREE, and a subscriber held up by the claim
            // may be padding it this moment (DeadClaims takes a FREE slot's owner for dead). The
            // compare-and-set from our marker decides: false if recovery won, and the message is lost
            // like a dead publisher's would be.
            writer.commit(position);
        } else {
            // Open: our slot is ACTIVE with our generation and its lock is held, so DeadClaims takes
            // none of our claims for a dead publisher's and nothing else writes this stamp: a release
            // store publishes the message (no locked instruction per message).
            writer.commitWhileOwned(position);
        }
    }

    private void wakeParked() {
        // Pairs with the subscriber's "announce parked, then poll again": one of us sees the other
        // (the full fence in anyoneParked orders the stamp store above before the parked-count load).
        if (wakeup && WakeupProtocol.anyoneParked(header)) {
            Wakeups.wakeParked(topic);
        }
    }

    @Override
    public MemorySegment buffer() {
        return writer.buffer();
    }

    @Override
    public long payloadOffset(long position) {
        return writer.payloadOffset(position) + stampLength;
    }

    @Override
    public int maxMessageLength() {
        return writer.maxMessageLength() - stampLength;
    }

    /** Index of this publisher's slot. */
    public int slotIndex() {
        return slotIndex;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            wakeDeferred();
        } catch (RingBusException truncated) {
            // The file is gone under us; closing never throws for that (see below).
        }
        closed = true;
        long lockByte = TopicDescriptor.publisherLockByte(slotIndex);
        try {
            Memory.setIntVolatile(header, slotOffset + PublisherSlotDescriptor.STATE_OFFSET,
                PublisherSlotDescriptor.FREE);
            topic.file().unlockByte(lockByte); // a system call: where a fault of the store above is delivered
        } catch (InternalError truncated) {
            // Another process truncated the file: the slot is gone with it. Closing never throws for that.
            topic.file().unlockByte(lockByte); // idempotent: a no-op if the call above got that far
        }
        onClose.run();
    }
}
