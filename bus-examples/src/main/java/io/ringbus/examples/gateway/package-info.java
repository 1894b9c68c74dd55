/**
 * The Aeron gateway behind {@code bus gateway}: topics across hosts. An
 * {@link io.ringbus.examples.gateway.Exporter} is a durable subscriber of a local topic that sends every message
 * to an Aeron publication; an {@link io.ringbus.examples.gateway.Importer} receives a stream from an Aeron
 * subscription and publishes it into a local topic. Applications on every host keep using shared memory and the
 * same {@code Publisher}/{@code Subscriber} API; Aeron carries the bytes (reliable UDP, retransmission, flow
 * control), and each message carries a small header ({@link io.ringbus.examples.gateway.GatewayHeaderDescriptor})
 * through which the importer drops what a restarted exporter sends again and reports what was lost.
 * An importer keeps its last source position in a small mapped file
 * ({@link io.ringbus.examples.gateway.ImportPositionDescriptor}), so that a successor repeats nothing and reports
 * what the dead one never got. {@link io.ringbus.examples.gateway.GatewayDriver} embeds a media driver or connects
 * to an external one; {@link io.ringbus.examples.gateway.GatewayStatus} is the file {@code bus stat} reads, with
 * the driver's NAK and retransmission counters ({@code AeronCounts}).
 * Aeron needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} in the gateway's JVM, and only there.
 */
package io.ringbus.examples.gateway;
