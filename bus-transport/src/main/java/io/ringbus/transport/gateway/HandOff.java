package io.ringbus.transport.gateway;

/**
 * Whether the gateway thread gives its core to the local reader after a pass in which its importers consumed
 * something (see "Hand-off to the local reader" in {@link Gateway}): only after a pause in imports longer than
 * {@code afterNanos}, and only when that pass published at most {@code maxMessages} messages into the local rings.
 *
 * <p>The message count tells a lone message (a round trip's, a sparse feed's: the exporter on the far side sends
 * it as soon as it is there, one to a datagram) from a stream (the far exporter fills its datagrams while its
 * driver is busy, 16 messages of 64 bytes to a datagram). A stream at a moderate rate also arrives in datagrams
 * more than {@code afterNanos} apart, and a yield after each of them cost the gateway thread a trip through the
 * scheduler per datagram. One thread uses an instance.
 */
final class HandOff {
    private final long afterNanos;
    private final long maxMessages;
    private long lastImportNanos;
    private long published;

    /**
     * @param now the clock now, as the first "last import"
     * @param published the importers' count of messages published so far
     */
    HandOff(long afterNanos, long maxMessages, long now, long published) {
        this.afterNanos = afterNanos;
        this.maxMessages = maxMessages;
        this.lastImportNanos = now;
        this.published = published;
    }

    /**
     * A pass consumed fragments (call only then): returns whether to yield now.
     *
     * @param now the clock
     * @param publishedNow the importers' count of messages published so far (it only rises)
     */
    boolean imported(long now, long publishedNow) {
        boolean yield = now - lastImportNanos > afterNanos && publishedNow - published <= maxMessages;
        lastImportNanos = now;
        published = publishedNow;
        return yield;
    }
}
