package io.ringbus.transport.gateway;

import io.aeron.AeronCounters;
import org.agrona.concurrent.status.CountersReader;

/**
 * The media driver's counters a gateway shows: per stream, the NAKs a publication received (its receivers
 * asked for retransmissions) and the NAKs an image sent; for the whole driver, the retransmissions sent and
 * the gap fills (losses a receiver gave up on). Read from the driver's counters file (CnC) through the client.
 *
 * <p>A stream counter's key starts with the registration id (8 bytes), the session id (4) and the stream id
 * (4); a system counter's key is its id (4).
 */
record AeronCounts(long[] naksReceivedByStream, int[] sendStreams, long[] naksSentByStream, int[] receiveStreams,
    long retransmits, long gapFills) {
    private static final int STREAM_ID_OFFSET = 12;
    private static final int MAX_STREAMS = 256;

    /** One pass over the counters. */
    static AeronCounts read(CountersReader counters) {
        long[] received = new long[MAX_STREAMS];
        int[] sendStreams = new int[MAX_STREAMS];
        long[] sent = new long[MAX_STREAMS];
        int[] receiveStreams = new int[MAX_STREAMS];
        int[] sizes = new int[2];
        long[] system = new long[2];
        counters.forEach((counterId, typeId, key, label) -> {
            long value = counters.getCounterValue(counterId);
            if (typeId == AeronCounters.DRIVER_SENDER_NAKS_RECEIVED_TYPE_ID) {
                sizes[0] = add(sendStreams, received, sizes[0], key.getInt(STREAM_ID_OFFSET), value);
            } else if (typeId == AeronCounters.DRIVER_RECEIVER_NAKS_SENT_TYPE_ID) {
                sizes[1] = add(receiveStreams, sent, sizes[1], key.getInt(STREAM_ID_OFFSET), value);
            } else if (typeId == AeronCounters.DRIVER_SYSTEM_COUNTER_TYPE_ID) {
                int id = key.getInt(0);
                if (id == AeronCounters.SYSTEM_COUNTER_ID_RETRANSMITS_SENT) {
                    system[0] = value;
                } else if (id == AeronCounters.SYSTEM_COUNTER_ID_LOSS_GAP_FILLS) {
                    system[1] = value;
                }
            }
        });
        return new AeronCounts(received, sendStreams, sent, receiveStreams, system[0], system[1]);
    }

    /** Adds {@code value} to the stream's sum; returns the number of streams seen. */
    private static int add(int[] streams, long[] sums, int size, int streamId, long value) {
        for (int i = 0; i < size; i++) {
            if (streams[i] == streamId) {
                sums[i] += value;
                return size;
            }
        }
        if (size == streams.length) {
            return size; // more streams than a gateway has routes: the rest go uncounted
        }
        streams[size] = streamId;
        sums[size] = value;
        return size + 1;
    }

    /**
     * The id of the sender position counter of the publication registered as {@code registrationId} (how far its
     * media driver has sent it), or {@link CountersReader#NULL_COUNTER_ID} when the driver shows none.
     */
    static int senderPositionId(CountersReader counters, long registrationId) {
        int[] found = {CountersReader.NULL_COUNTER_ID};
        counters.forEach((counterId, typeId, key, label) -> {
            if (typeId == AeronCounters.DRIVER_SENDER_POSITION_TYPE_ID && key.getLong(0) == registrationId) {
                found[0] = counterId;
            }
        });
        return found[0];
    }

    /** NAKs received by the exported stream, or sent for the imported one. */
    long naks(boolean export, int streamId) {
        int[] streams = export ? sendStreams : receiveStreams;
        long[] sums = export ? naksReceivedByStream : naksSentByStream;
        for (int i = 0; i < streams.length; i++) {
            if (streams[i] == streamId && sums[i] != 0) {
                return sums[i];
            }
        }
        return 0;
    }
}
