package io.ringbus.transport.gateway;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * One topic on one Aeron channel and stream: what an {@link Exporter} sends or an {@link Importer} receives.
 *
 * @param topic the local topic
 * @param channel the Aeron channel, such as {@code aeron:udp?endpoint=hostB:40456}
 * @param streamId the Aeron stream id; {@link #streamIdOf(String)} unless the user chose one
 */
public record Route(String topic, String channel, int streamId) {
    /** The first stream id {@link #streamIdOf} gives. */
    public static final int FIRST_DERIVED_STREAM_ID = 10_000;
    /** How many stream ids {@link #streamIdOf} spreads topics over. */
    public static final int DERIVED_STREAM_IDS = 1_000_000;

    /** A route whose stream id is derived from the topic's name. */
    public static Route of(String topic, String channel) {
        return new Route(topic, channel, streamIdOf(topic));
    }

    /**
     * The stream id of a topic unless overridden: {@code 10000 + (CRC-32 of the name's UTF-8 bytes mod 1000000)}.
     * Both hosts compute the same number from the same name, with nothing to configure; two topics of one
     * channel that collide are refused at start (give one of them a stream id of its own).
     */
    public static int streamIdOf(String topic) {
        CRC32 crc = new CRC32();
        crc.update(topic.getBytes(StandardCharsets.UTF_8));
        return FIRST_DERIVED_STREAM_ID + (int) (crc.getValue() % DERIVED_STREAM_IDS);
    }

    /**
     * The durable subscriber name of the exporter of this route: {@code aeron-} and 8 hex digits of the CRC-32
     * of the channel and stream id. The same route finds the same name after a restart, and resumes where its
     * predecessor committed; another route gets a cursor of its own.
     */
    public String durableName() {
        CRC32 crc = new CRC32();
        crc.update((channel + "|" + streamId).getBytes(StandardCharsets.UTF_8));
        return String.format("aeron-%08x", crc.getValue());
    }

    @Override
    public String toString() {
        return topic + " <-> " + channel + " stream " + streamId;
    }
}
