package io.ringbus.transport.record;

/**
 * One entry of a recording as a {@link Replayer} reads it: reused from entry to entry; the payload is a copy,
 * valid until the next read.
 */
public final class Entry {
    long index;
    byte kind;
    int typeId;
    long position;
    long epochNanos;
    boolean publishTime;
    int length;
    long gapTo;
    long missedBytes;
    byte[] payload = new byte[1024];

    /** The queue's index of this entry (what {@code --from} and {@code --to} take). */
    public long index() {
        return index;
    }

    /** Whether this is a message (otherwise a gap). */
    public boolean isMessage() {
        return kind == EntryDescriptor.MESSAGE;
    }

    /** The record's type id in the ring. */
    public int typeId() {
        return typeId;
    }

    /** The message's ring position; for a gap, where the recorder was evicted. */
    public long position() {
        return position;
    }

    /**
     * Nanoseconds since the Unix epoch: when the message was published if {@link #isPublishTime()}, otherwise
     * when the recorder received it.
     */
    public long epochNanos() {
        return epochNanos;
    }

    /** Whether {@link #epochNanos()} is the publish time (the topic had timestamps), not the receive time. */
    public boolean isPublishTime() {
        return publishTime;
    }

    /** Payload bytes (0 for a gap). */
    public int length() {
        return length;
    }

    /** The payload: the first {@link #length()} bytes. */
    public byte[] payload() {
        return payload;
    }

    /** For a gap: where the recorder resumed. */
    public long gapTo() {
        return gapTo;
    }

    /** For a gap: the ring bytes it missed, headers and padding included. */
    public long missedBytes() {
        return missedBytes;
    }
}
