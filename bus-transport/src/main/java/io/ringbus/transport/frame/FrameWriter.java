package io.ringbus.transport.frame;

import io.ringbus.transport.stream.ByteStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Frames messages into one send buffer, allocated once, and writes it to a stream without blocking.
 * Frames are appended whole or not at all; {@link #flush} writes as much as the stream takes and keeps
 * the rest, so several frames go out in one system call whenever the peer is behind.
 *
 * <p>For a zero-copy claim, {@link #reserve} appends a header with the payload space after it, the
 * caller writes the payload in {@link #segment()}, then {@link #complete} or {@link #cancel}. Not
 * thread-safe.
 */
public final class FrameWriter {
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE =
        ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int MIN_BUFFER = 64 * 1024;

    private final ByteBuffer buffer;
    private final MemorySegment segment;
    /** Bytes before this index were written to the stream. */
    private int flushIndex;
    /** Frames end here; a reservation may extend past it. */
    private int appendIndex;
    /**
     * The start of a frame at or before the first one not yet wholly written (where a resend after
     * reconnecting starts): moved up to it only when that is needed (compacting, rewinding), and in one
     * step when a flush wrote everything, so a flush does not walk the headers of every frame it wrote.
     */
    private int firstUnsentFrame;
    private int reservedAt = -1;

    /** A writer whose buffer holds at least one frame of {@code maxMessageLength} and 64 KiB. */
    public FrameWriter(int maxMessageLength) {
        int largest = Math.max(maxMessageLength, FrameDescriptor.MAX_CONTROL_LENGTH);
        int capacity = Math.max(MIN_BUFFER, 2 * (FrameDescriptor.HEADER_LENGTH + largest));
        this.buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        this.segment = MemorySegment.ofBuffer(buffer);
    }

    /** Whether a frame of {@code payloadLength} fits now (after compacting what was written). */
    public boolean hasRoomFor(int payloadLength) {
        return room() >= FrameDescriptor.HEADER_LENGTH + (long) payloadLength;
    }

    /** Bytes a frame (header included) may take now. */
    public int freeBytes() {
        return room();
    }

    private int room() {
        if (flushIndex > 0 && flushIndex == appendIndex) {
            flushIndex = 0;
            appendIndex = 0;
            firstUnsentFrame = 0;
        }
        int room = buffer.capacity() - appendIndex;
        if (room < buffer.capacity() / 2 && flushIndex > 0) {
            compact();
            room = buffer.capacity() - appendIndex;
        }
        return room;
    }

    private void compact() {
        advanceFirstUnsentFrame();
        int keepFrom = Math.min(flushIndex, firstUnsentFrame);
        int remaining = appendIndex - keepFrom;
        MemorySegment.copy(segment, keepFrom, segment, 0, remaining);
        flushIndex -= keepFrom;
        firstUnsentFrame -= keepFrom;
        appendIndex = remaining;
    }

    /**
     * Appends one frame copying {@code length} bytes of {@code source} from {@code offset}.
     *
     * @return false (nothing appended) when the buffer has no room for it
     */
    public boolean append(int type, MemorySegment source, long offset, int length) {
        if (!hasRoomFor(length)) {
            return false;
        }
        putHeader(appendIndex, length, type);
        MemorySegment.copy(source, offset, segment, appendIndex + FrameDescriptor.HEADER_LENGTH, length);
        appendIndex += FrameDescriptor.HEADER_LENGTH + length;
        return true;
    }

    /** Appends one frame copying a byte array range; false when there is no room. */
    public boolean append(int type, byte[] source, int offset, int length) {
        if (!hasRoomFor(length)) {
            return false;
        }
        putHeader(appendIndex, length, type);
        MemorySegment.copy(source, offset, segment, ValueLayout.JAVA_BYTE,
            appendIndex + FrameDescriptor.HEADER_LENGTH, length);
        appendIndex += FrameDescriptor.HEADER_LENGTH + length;
        return true;
    }

    /** Appends a control frame with UTF-8 text; false when there is no room. */
    public boolean appendText(int type, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > FrameDescriptor.MAX_CONTROL_LENGTH) {
            throw new IllegalArgumentException("control text of " + bytes.length + " bytes is over "
                + FrameDescriptor.MAX_CONTROL_LENGTH);
        }
        return append(type, bytes, 0, bytes.length);
    }

    /** Appends a control frame of int64 values; false when there is no room. */
    public boolean appendLongs(int type, long... values) {
        int length = values.length * Long.BYTES;
        if (!hasRoomFor(length)) {
            return false;
        }
        putHeader(appendIndex, length, type);
        for (int i = 0; i < values.length; i++) {
            segment.set(LONG_LE, appendIndex + FrameDescriptor.HEADER_LENGTH + (long) i * Long.BYTES, values[i]);
        }
        appendIndex += FrameDescriptor.HEADER_LENGTH + length;
        return true;
    }

    /**
     * Reserves a frame of {@code length} payload bytes for the caller to fill in {@link #segment()}.
     *
     * @return where the payload goes in {@link #segment()}, or -1 when there is no room
     */
    public long reserve(int type, int length) {
        if (reservedAt >= 0) {
            throw new IllegalStateException("a reserved frame is still open; complete or cancel it first");
        }
        if (!hasRoomFor(length)) {
            return -1;
        }
        reservedAt = appendIndex;
        putHeader(appendIndex, length, type);
        return appendIndex + FrameDescriptor.HEADER_LENGTH;
    }

    /** Makes the reserved frame part of the stream; returns its payload length. */
    public int complete() {
        if (reservedAt < 0) {
            throw new IllegalStateException("no frame is reserved");
        }
        int length = segment.get(INT_LE, reservedAt + FrameDescriptor.LENGTH_OFFSET);
        appendIndex = reservedAt + FrameDescriptor.HEADER_LENGTH + length;
        reservedAt = -1;
        return length;
    }

    /** Drops the reserved frame. */
    public void cancel() {
        reservedAt = -1;
    }

    /** Whether a frame is reserved and not yet completed or cancelled. */
    public boolean isReserved() {
        return reservedAt >= 0;
    }

    private void putHeader(int at, int length, int type) {
        segment.set(INT_LE, at + FrameDescriptor.LENGTH_OFFSET, length);
        segment.set(INT_LE, at + FrameDescriptor.TYPE_OFFSET, type);
    }

    /**
     * Writes what the stream accepts now.
     *
     * @return whether everything appended has been written
     * @throws io.ringbus.transport.stream.StreamClosedException when the peer went away
     */
    public boolean flush(ByteStream stream) {
        while (flushIndex < appendIndex) {
            buffer.limit(appendIndex).position(flushIndex);
            int written = stream.write(buffer);
            if (written <= 0) {
                break;
            }
            flushIndex += written;
        }
        if (flushIndex == appendIndex) {
            firstUnsentFrame = appendIndex; // every frame went out whole
            return true;
        }
        return false;
    }

    private void advanceFirstUnsentFrame() {
        while (firstUnsentFrame < flushIndex) {
            int length = segment.get(INT_LE, firstUnsentFrame + FrameDescriptor.LENGTH_OFFSET);
            int end = firstUnsentFrame + FrameDescriptor.HEADER_LENGTH + length;
            if (end > flushIndex) {
                break;
            }
            firstUnsentFrame = end;
        }
    }

    /** Whether bytes wait to be written. */
    public boolean hasPending() {
        return flushIndex < appendIndex;
    }

    /** Bytes waiting to be written. */
    public int pendingBytes() {
        return appendIndex - flushIndex;
    }

    /**
     * After a broken connection: forgets the part of a frame that was written and makes the whole of
     * every unfinished frame pending again, so a new connection gets whole frames only.
     */
    public void rewindToWholeFrames() {
        advanceFirstUnsentFrame();
        flushIndex = firstUnsentFrame;
    }

    /**
     * Takes back the last frame appended, of {@code frameLength} bytes, if none of its bytes was
     * written (after {@link #rewindToWholeFrames}).
     *
     * @return whether it was taken back
     */
    public boolean dropUnsentLastFrame(int frameLength) {
        int start = appendIndex - frameLength;
        if (start < 0 || Math.max(flushIndex, firstUnsentFrame) > start) {
            return false;
        }
        appendIndex = start;
        return true;
    }

    /** Drops everything buffered (a connection that will not come back). */
    public void clear() {
        flushIndex = 0;
        appendIndex = 0;
        firstUnsentFrame = 0;
        reservedAt = -1;
    }

    /** The send buffer, for writing a reserved payload. */
    public MemorySegment segment() {
        return segment;
    }
}
