package io.ringbus.transport.gateway;

import static io.ringbus.transport.gateway.GatewayHeaderDescriptor.BATCH_HEADER_LENGTH;
import static io.ringbus.transport.gateway.GatewayHeaderDescriptor.BYTE_ORDER;
import static io.ringbus.transport.gateway.GatewayHeaderDescriptor.ENTRY_HEADER_LENGTH;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * One Aeron message an exporter is building or keeps aside: a batch of ring messages in the
 * {@link GatewayHeaderDescriptor} layout, copied out of the ring (which may reuse the space once the exporter
 * commits). Grows to the largest batch it ever held; allocates nothing after that.
 */
final class ExportBatch {
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
    private int length;
    private int count;
    private long payloadBytes;

    /** Whether it holds no message. */
    boolean isEmpty() {
        return count == 0;
    }

    /** Bytes of the Aeron message so far (0 when empty). */
    int length() {
        return length;
    }

    /** Messages in it. */
    int count() {
        return count;
    }

    /** Payload bytes of its messages. */
    long payloadBytes() {
        return payloadBytes;
    }

    /** The Aeron message, bytes 0 to {@link #length()}. */
    DirectBuffer buffer() {
        return buffer;
    }

    /**
     * Adds a message; the first one also writes the batch header.
     *
     * @param from where the exporter's cursor was before this message (kept for the first message only)
     */
    void add(long sourceId, long from, int typeId, long to, DirectBuffer payload, int payloadLength) {
        if (count == 0) {
            buffer.putInt(GatewayHeaderDescriptor.MAGIC_OFFSET, GatewayHeaderDescriptor.MAGIC, BYTE_ORDER);
            buffer.putLong(GatewayHeaderDescriptor.SOURCE_ID_OFFSET, sourceId, BYTE_ORDER);
            buffer.putLong(GatewayHeaderDescriptor.FROM_POSITION_OFFSET, from, BYTE_ORDER);
            length = BATCH_HEADER_LENGTH;
        }
        int entry = length;
        int next = entry + GatewayHeaderDescriptor.entryLength(payloadLength);
        buffer.checkLimit(next);
        buffer.putInt(entry + GatewayHeaderDescriptor.ENTRY_TYPE_OFFSET, typeId, BYTE_ORDER);
        buffer.putInt(entry + GatewayHeaderDescriptor.ENTRY_LENGTH_OFFSET, payloadLength, BYTE_ORDER);
        buffer.putLong(entry + GatewayHeaderDescriptor.ENTRY_TO_POSITION_OFFSET, to, BYTE_ORDER);
        buffer.putBytes(entry + ENTRY_HEADER_LENGTH, payload, 0, payloadLength);
        buffer.setMemory(entry + ENTRY_HEADER_LENGTH + payloadLength, next - entry - ENTRY_HEADER_LENGTH
            - payloadLength, (byte) 0);
        length = next;
        count++;
        payloadBytes += payloadLength;
        buffer.putInt(GatewayHeaderDescriptor.COUNT_OFFSET, count, BYTE_ORDER);
    }

    /** Empties it. */
    void clear() {
        length = 0;
        count = 0;
        payloadBytes = 0;
    }
}
