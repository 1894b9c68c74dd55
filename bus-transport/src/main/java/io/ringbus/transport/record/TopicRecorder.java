package io.ringbus.transport.record;

import io.ringbus.core.LossListener;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.core.ring.RecordDescriptor;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileStore;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.PointerBytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Records one topic: a durable subscriber with explicit commits whose handler appends each message to a
 * {@link Recording}, and which commits only after the appends of a batch returned.
 *
 * <p><b>No gap, no duplicate across a kill.</b> The durable cursor never passes what the queue holds (commit
 * follows append), so a successor resumes at or before the queue's end; it skips every message at or below
 * the recording's {@link Recording#lastCoveredPosition() last covered position}, which the queue says, not the
 * cursor. A kill in the middle of an append leaves a document Chronicle never shows, and the message comes
 * again. So the recording holds each message once, in ring order, whenever the recorder is killed.
 *
 * <p><b>Evictions.</b> An evictable recorder that falls a whole ring behind is told what it missed
 * ({@link LossListener}) and appends a {@link EntryDescriptor#GAP} entry saying so. A tethered one (the
 * default) holds publishers back instead, also while it is down, as every durable subscriber does.
 *
 * <p><b>Times.</b> On a topic with timestamps each entry holds the message's publish time; on any other, the
 * recorder's receive time, and the entry's flags say which ({@link EntryDescriptor#FLAG_PUBLISH_TIME}).
 *
 * <p>One thread runs {@link #run}; nothing is allocated per message (the payload is copied into the queue
 * through one re-pointed Chronicle view).
 */
public final class TopicRecorder implements MessageHandler, LossListener {
    /** Messages appended between two commits at most. */
    static final int BATCH = 256;
    private static final long WAIT_SLICE_NANOS = 200_000_000L;
    private static final long SPACE_CHECK_NANOS = 100_000_000L;

    private final Recording recording;
    private final ExcerptAppender appender;
    private final PointerBytesStore payload = BytesStore.nativePointer();
    private final FileStore store;
    private final long minFree;
    private final long limit;
    private final long epochNanosAtStart = System.currentTimeMillis() * 1_000_000L;
    private final long nanoTimeAtStart = System.nanoTime();
    private Subscriber subscriber;
    private long lastCovered;
    private long recorded;
    private long skipped;
    private long gaps;
    private long lastSpaceCheck;
    private DocumentContext entry;
    private long entryHeader;
    /** Ring bytes of the message in hand's record: its length, plus its publish time on a timestamped topic. */
    private int entryRingLength;
    private boolean entryStamped;
    private long withPublishTimes;

    /**
     * A recorder appending to {@code recording}, stopping (between batches) after {@code limit} messages, and
     * before the file system has less than {@code minFree} bytes free.
     */
    public TopicRecorder(Recording recording, long minFree, long limit) {
        this.recording = recording;
        this.minFree = minFree;
        this.limit = limit;
        this.appender = recording.queue().createAppender();
        this.store = RecordingDirectories.store(recording.directory());
        this.lastCovered = recording.lastCoveredPosition();
        payload.singleThreadedCheckDisabled(true);
    }

    /**
     * Subscribes through {@code subscribe} (given this recorder as the loss listener to set in the config it
     * makes) and records until {@code stop} says so or the limit is reached. Commits after every batch, and on
     * the way out; closes the subscriber.
     *
     * @throws RecordingException when the file system is full, or an append fails
     */
    public void run(Function<LossListener, Subscriber> subscribe, BooleanSupplier stop) {
        RecordingDirectories.requireFree(store, recording.directory(), minFree);
        subscriber = subscribe.apply(this);
        try {
            while (!stop.getAsBoolean() && recorded < limit) {
                // Many messages per call: inside the handler the subscriber's position is where the message
                // in hand ends, which is how each one's ring position is known.
                int batch = subscriber.await(this, (int) Math.min(BATCH, limit - recorded), WAIT_SLICE_NANOS);
                int got = batch;
                while (got > 0 && batch < BATCH && recorded < limit) {
                    got = subscriber.poll(this, (int) Math.min(BATCH - batch, limit - recorded));
                    batch += got;
                }
                if (batch > 0) {
                    subscriber.commit(); // only now: what was delivered is in the queue
                }
                long now = System.nanoTime();
                if (now - lastSpaceCheck > SPACE_CHECK_NANOS) {
                    lastSpaceCheck = now;
                    RecordingDirectories.requireFree(store, recording.directory(), minFree);
                }
            }
        } finally {
            abandonEntry();
            subscriber.close();
        }
    }

    /** A config for the durable subscriber, with explicit commits and this recorder told of losses. */
    public static SubscriberConfig durable(SubscriberConfig config, String name, LossListener listener) {
        return config.durableName(name).explicitCommit(true).lossListener(listener);
    }

    /**
     * Appends the message as an entry whose header gets the message's ring position ({@link #finishEntry}), or
     * rolls it back if it was recorded already.
     */
    @Override
    public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
        if (offset < 0 || offset > buffer.byteSize() - length) {
            throw new IndexOutOfBoundsException("payload [" + offset + ", +" + length + ") outside the ring");
        }
        payload.set(buffer.address() + offset, length);
        try {
            entry = appender.writingDocument();
            Bytes<?> bytes = entry.wire().bytes();
            entryHeader = bytes.writePosition();
            long published = subscriber.publishTime();
            boolean stamped = published != Subscriber.NO_PUBLISH_TIME;
            header(bytes, EntryDescriptor.MESSAGE, stamped ? EntryDescriptor.FLAG_PUBLISH_TIME : 0, typeId, -1,
                stamped ? published : receiveTime(), length);
            entryRingLength = stamped ? length + TopicConfig.TIMESTAMP_LENGTH : length;
            entryStamped = stamped;
            bytes.write(payload, 0L, length);
        } catch (RuntimeException | InternalError e) {
            throw appendFailed(e);
        }
        finishEntry();
    }

    /** In the handler: the entry gets the message's ring position and is appended (or dropped). */
    private void finishEntry() {
        long position = subscriber.position() - RecordDescriptor.recordLength(entryRingLength);
        try {
            if (position <= lastCovered) {
                skipped++; // recorded before a kill, delivered again because the kill came before the commit
                entry.rollbackOnClose();
            } else {
                entry.wire().bytes().writeLong(entryHeader + EntryDescriptor.POSITION_OFFSET, position);
                lastCovered = position;
                recorded++;
                if (entryStamped) {
                    withPublishTimes++;
                }
            }
            entry.close();
        } catch (RuntimeException | InternalError e) {
            throw appendFailed(e);
        } finally {
            entry = null;
        }
    }

    /** Drops an entry a failure left open. */
    private void abandonEntry() {
        if (entry != null) {
            try {
                entry.rollbackOnClose();
                entry.close();
            } catch (RuntimeException ignored) {
                // Already failing: the first error is the one to report.
            }
            entry = null;
        }
    }

    @Override
    public void onLoss(long fromPosition, long toPosition, long missedBytes) {
        try (DocumentContext document = appender.writingDocument()) {
            Bytes<?> bytes = document.wire().bytes();
            header(bytes, EntryDescriptor.GAP, (byte) 0, 0, fromPosition, receiveTime(), EntryDescriptor.GAP_LENGTH);
            bytes.writeLong(toPosition);
            bytes.writeLong(missedBytes);
        } catch (RuntimeException | InternalError e) {
            throw appendFailed(e);
        }
        lastCovered = Math.max(lastCovered, toPosition - 1);
        gaps++;
    }

    private long receiveTime() {
        return epochNanosAtStart + (System.nanoTime() - nanoTimeAtStart);
    }

    private void header(Bytes<?> bytes, byte kind, byte flags, int typeId, long position, long time, int length) {
        bytes.writeByte(kind);
        bytes.writeByte(flags);
        bytes.writeShort((short) 0);
        bytes.writeInt(typeId);
        bytes.writeLong(position);
        bytes.writeLong(time);
        bytes.writeInt(length);
        bytes.writeInt(0);
    }

    private RecordingException appendFailed(Throwable e) {
        return new RecordingException("cannot append to the recording in " + recording.directory() + ": " + e
            + " (a full file system? free some space; a restart resumes after the last whole entry)", e);
    }

    /** The last ring position the recording covers (-1: none). */
    public long lastCovered() {
        return lastCovered;
    }

    /** Messages appended by this recorder. */
    public long recorded() {
        return recorded;
    }

    /** Messages delivered again after a restart and skipped, as the recording already had them. */
    public long skipped() {
        return skipped;
    }

    /** Messages appended with their publish time (the rest with the recorder's receive time). */
    public long withPublishTimes() {
        return withPublishTimes;
    }

    /** Gap entries appended. */
    public long gaps() {
        return gaps;
    }

    /** Closes the appender and releases the payload view (not the recording). */
    public void close() {
        appender.close();
        payload.releaseLast();
    }
}
