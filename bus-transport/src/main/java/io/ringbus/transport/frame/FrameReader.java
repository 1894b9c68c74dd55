package io.ringbus.transport.frame;

import io.ringbus.transport.MalformedFrameException;
import io.ringbus.transport.stream.ByteStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Cuts frames out of a byte stream, in place: one receive buffer, allocated once, big enough for the
 * largest frame allowed, so a frame's length is checked against the limit before a single payload
 * byte is read, and nothing is allocated per frame.
 *
 * <p>Use: {@link #fill} reads what the stream has; then {@link #next} repeatedly, each true answer
 * exposing one frame through {@link #type}, {@link #payloadOffset} and {@link #payloadLength} in
 * {@link #segment}. A frame's bytes stay valid until the next {@code fill}. Not thread-safe.
 */
public final class FrameReader {
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int MIN_BUFFER = 64 * 1024;

    private final ByteBuffer buffer;
    private final MemorySegment segment;
    private int maxMessageLength;
    private int readIndex;
    private int writeIndex;
    private int type;
    private int payloadOffset;
    private int payloadLength;

    /** A reader accepting messages of up to {@code maxMessageLength} payload bytes. */
    public FrameReader(int maxMessageLength) {
        this(maxMessageLength, maxMessageLength);
    }

    /**
     * A reader sized for {@code capacityMessageLength} that accepts up to {@code maxMessageLength}
     * for now ({@link #limitMessageLength} lowers the limit once a handshake tells it).
     */
    public FrameReader(int maxMessageLength, int capacityMessageLength) {
        if (maxMessageLength < 0 || maxMessageLength > capacityMessageLength) {
            throw new IllegalArgumentException("maxMessageLength " + maxMessageLength + " outside 0.."
                + capacityMessageLength);
        }
        int largest = Math.max(capacityMessageLength, FrameDescriptor.MAX_CONTROL_LENGTH);
        int capacity = Math.max(MIN_BUFFER, FrameDescriptor.HEADER_LENGTH + largest);
        this.buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        this.segment = MemorySegment.ofBuffer(buffer);
        this.maxMessageLength = maxMessageLength;
    }

    /** Sets the longest message payload accepted (at most the capacity given at construction). */
    public void limitMessageLength(int limit) {
        if (limit < 0 || FrameDescriptor.HEADER_LENGTH + limit > buffer.capacity()) {
            throw new IllegalArgumentException("limit " + limit + " does not fit the receive buffer");
        }
        this.maxMessageLength = limit;
    }

    /**
     * Reads what {@code stream} has now into the buffer, first moving any partial frame to the front.
     *
     * @return bytes read, 0 when none was available (or no room), -1 at end of stream
     */
    public int fill(ByteStream stream) {
        if (readIndex > 0 && (readIndex == writeIndex || buffer.capacity() - writeIndex < FrameDescriptor.HEADER_LENGTH
            + pendingFrameLength())) {
            compact();
        }
        if (writeIndex == buffer.capacity()) {
            return 0;
        }
        buffer.limit(buffer.capacity()).position(writeIndex);
        int read = stream.read(buffer);
        if (read > 0) {
            writeIndex += read;
        }
        return read;
    }

    /** Copies {@code bytes} in as if the stream had delivered them (tests, and bytes read elsewhere). */
    public void append(byte[] bytes, int offset, int length) {
        if (buffer.capacity() - writeIndex < length) {
            compact();
        }
        if (buffer.capacity() - writeIndex < length) {
            throw new IllegalStateException("no room for " + length + " bytes in the receive buffer");
        }
        MemorySegment.copy(bytes, offset, segment, ValueLayout.JAVA_BYTE, writeIndex, length);
        writeIndex += length;
    }

    private int pendingFrameLength() {
        if (writeIndex - readIndex < FrameDescriptor.HEADER_LENGTH) {
            return 0;
        }
        return Math.max(0, segment.get(INT_LE, readIndex + FrameDescriptor.LENGTH_OFFSET));
    }

    private void compact() {
        int remaining = writeIndex - readIndex;
        if (remaining > 0 && readIndex > 0) {
            MemorySegment.copy(segment, readIndex, segment, 0, remaining);
        }
        readIndex = 0;
        writeIndex = remaining;
    }

    /**
     * Moves to the next complete frame in the buffer.
     *
     * @return true when a frame is exposed; false when the buffer holds only part of one (fill again)
     * @throws MalformedFrameException when the next frame's length is negative or over the limit for
     *     its type; the connection must then be closed, as the stream has lost its framing
     */
    public boolean next() {
        int available = writeIndex - readIndex;
        if (available < FrameDescriptor.HEADER_LENGTH) {
            return false;
        }
        int length = segment.get(INT_LE, readIndex + FrameDescriptor.LENGTH_OFFSET);
        int frameType = segment.get(INT_LE, readIndex + FrameDescriptor.TYPE_OFFSET);
        int limit = FrameDescriptor.isMessage(frameType) ? maxMessageLength : FrameDescriptor.MAX_CONTROL_LENGTH;
        if (length < 0 || length > limit) {
            throw new MalformedFrameException("frame of type " + FrameDescriptor.typeName(frameType) + " claims "
                + length + " payload bytes; the limit is " + limit);
        }
        if (available - FrameDescriptor.HEADER_LENGTH < length) {
            return false;
        }
        type = frameType;
        payloadOffset = readIndex + FrameDescriptor.HEADER_LENGTH;
        payloadLength = length;
        readIndex = payloadOffset + length;
        return true;
    }

    /** Forgets everything buffered (a new connection starts a new stream of frames). */
    public void reset() {
        readIndex = 0;
        writeIndex = 0;
    }

    /** Whether bytes of an incomplete frame are buffered. */
    public boolean hasPartialFrame() {
        return writeIndex > readIndex;
    }

    /** The current frame's type. */
    public int type() {
        return type;
    }

    /** Where the current frame's payload starts in {@link #segment()}. */
    public long payloadOffset() {
        return payloadOffset;
    }

    /** The current frame's payload length. */
    public int payloadLength() {
        return payloadLength;
    }

    /** The receive buffer. */
    public MemorySegment segment() {
        return segment;
    }

    /** The current frame's payload as UTF-8 text (control frames). */
    public String payloadText() {
        byte[] bytes = new byte[payloadLength];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, payloadOffset, bytes, 0, payloadLength);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The int64 (LE) at {@code index} of the current payload. */
    public long payloadLong(int index) {
        return segment.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), payloadOffset + index);
    }
}
