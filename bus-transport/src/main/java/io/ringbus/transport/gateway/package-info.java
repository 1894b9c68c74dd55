/**
 * The Aeron gateway behind {@code bus gateway}: topics across hosts. A {@link io.ringbus.transport.gateway.Gateway}
 * runs routes ({@link io.ringbus.transport.gateway.Route}: a topic, an Aeron channel and a stream id) on the Aeron
 * client of a {@link io.ringbus.transport.gateway.GatewayDriver} (an embedded media driver, or an external one).
 * Each exported topic has an {@link io.ringbus.transport.gateway.Exporter}, a durable subscriber of the local topic
 * that sends every message to an Aeron publication; each imported one an
 * {@link io.ringbus.transport.gateway.Importer}, which receives a stream from an Aeron subscription and publishes
 * it into a local topic. Applications on every host keep using shared memory and the same
 * {@code Publisher}/{@code Subscriber} API; Aeron carries the bytes (reliable UDP, retransmission, flow control),
 * and each message carries a small header ({@link io.ringbus.transport.gateway.GatewayHeaderDescriptor}) through
 * which the importer drops what a restarted exporter sends again and reports what was lost, in the local topic too
 * ({@link io.ringbus.transport.gateway.Importer#LOSS_NOTICE_TYPE}). An importer keeps its last source position in
 * a small mapped file ({@link io.ringbus.transport.gateway.ImportPositionDescriptor}), so that a successor repeats
 * nothing and reports what the dead one never got. {@link io.ringbus.transport.gateway.GatewayStatus} is the file
 * {@code bus stat} reads, with the driver's NAK and retransmission counters. All of a gateway's work (the embedded
 * driver's and every route's) runs on one thread, the {@link io.ringbus.transport.gateway.GatewayDriver}'s, in
 * one duty cycle in which nothing waits.
 *
 * <p>Aeron is an optional dependency of this module: an application that runs a gateway adds
 * {@code io.aeron:aeron-client} and {@code io.aeron:aeron-driver}, and its JVM needs
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}, and only that JVM.
 */
package io.ringbus.transport.gateway;
