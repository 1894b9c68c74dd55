package io.ringbus.transport.record;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Reads a {@link Recording} entry by entry, from an index or a time to another, into one reused {@link Entry}.
 * One thread at a time.
 */
public final class Replayer implements AutoCloseable {
    private final Recording recording;
    private final ExcerptTailer tailer;
    private final Entry entry = new Entry();
    private long toIndex = Long.MAX_VALUE;
    private long toNanos = Long.MAX_VALUE;
    private long fromNanos = Long.MIN_VALUE;

    /** A replayer at the recording's first entry. */
    public Replayer(Recording recording) {
        this.recording = recording;
        this.tailer = recording.queue().createTailer().toStart();
    }

    /**
     * Starts at the entry of queue index {@code index}.
     *
     * @throws RecordingException when the recording has no entry there
     */
    public Replayer fromIndex(long index) {
        if (!tailer.moveToIndex(index)) {
            throw new RecordingException("the recording of '" + recording.topic() + "' has no entry of index " + index
                + " (its indexes run from " + recording.queue().firstIndex() + " to " + recording.queue().lastIndex()
                + "; ./bus replay ... --print shows each entry's #index)");
        }
        return this;
    }

    /** Skips the entries whose time (publish or receive) is before {@code epochNanos}. */
    public Replayer fromTime(long epochNanos) {
        fromNanos = epochNanos;
        return this;
    }

    /**
     * Ends after the entry of queue index {@code index}.
     *
     * @throws RecordingException when {@code index} is before the recording's first entry (nothing would be read)
     */
    public Replayer toIndex(long index) {
        long first = recording.queue().firstIndex();
        if (index < first) {
            throw new RecordingException("the recording of '" + recording.topic() + "' has no entry at or before index "
                + index + " (its indexes run from " + first + " to " + recording.queue().lastIndex()
                + "; ./bus replay ... --print shows each entry's #index)");
        }
        toIndex = index;
        return this;
    }

    /** Ends before the first entry whose time (publish or receive) is after {@code epochNanos}. */
    public Replayer toTime(long epochNanos) {
        toNanos = epochNanos;
        return this;
    }

    /**
     * Reads the next entry in range.
     *
     * @return the entry (the same object each time), or null at the end of the recording or of the range
     * @throws RecordingException when an entry is not laid out as {@link EntryDescriptor} says
     */
    public Entry next() {
        while (true) {
            try (DocumentContext document = tailer.readingDocument()) {
                if (!document.isPresent()) {
                    return null;
                }
                long index = document.index();
                if (index > toIndex) {
                    return null;
                }
                read(document.wire().bytes(), index);
            }
            if (entry.epochNanos > toNanos) {
                return null;
            }
            if (entry.epochNanos >= fromNanos) {
                return entry;
            }
        }
    }

    private void read(Bytes<?> bytes, long index) {
        long start = bytes.readPosition();
        long size = bytes.readRemaining();
        if (size < EntryDescriptor.HEADER_LENGTH) {
            throw malformed(index, "shorter than the entry header");
        }
        entry.index = index;
        entry.kind = bytes.readByte(start + EntryDescriptor.KIND_OFFSET);
        entry.typeId = bytes.readInt(start + EntryDescriptor.TYPE_OFFSET);
        entry.position = bytes.readLong(start + EntryDescriptor.POSITION_OFFSET);
        entry.epochNanos = bytes.readLong(start + EntryDescriptor.TIME_OFFSET);
        entry.publishTime = (bytes.readByte(start + EntryDescriptor.FLAGS_OFFSET) & EntryDescriptor.FLAG_PUBLISH_TIME)
            != 0;
        int length = bytes.readInt(start + EntryDescriptor.LENGTH_OFFSET);
        if (length < 0 || length > size - EntryDescriptor.HEADER_LENGTH) {
            throw malformed(index, "length " + length + " past the entry's " + size + " bytes");
        }
        long body = start + EntryDescriptor.HEADER_LENGTH;
        if (entry.kind == EntryDescriptor.GAP) {
            if (length != EntryDescriptor.GAP_LENGTH) {
                throw malformed(index, "a gap of " + length + " bytes");
            }
            entry.gapTo = bytes.readLong(body);
            entry.missedBytes = bytes.readLong(body + Long.BYTES);
            entry.length = 0;
        } else if (entry.kind == EntryDescriptor.MESSAGE) {
            if (entry.payload.length < length) {
                entry.payload = new byte[Math.max(length, 2 * entry.payload.length)];
            }
            bytes.read(body, entry.payload, 0, length);
            entry.length = length;
        } else {
            throw malformed(index, "kind " + entry.kind);
        }
    }

    private RecordingException malformed(long index, String what) {
        return new RecordingException("entry " + index + " of the recording in " + recording.directory()
            + " is not a ringbus recording entry (" + what + "): was this queue written by bus record?");
    }

    @Override
    public void close() {
        tailer.close();
    }
}
