/**
 * The Aeron gateway behind {@code bus gateway}: topics across hosts. An
 * {@link io.ringbus.examples.gateway.Exporter} is a durable subscriber of a local topic that sends every message
 * to an Aeron publication; an {@link io.ringbus.examples.gateway.Importer} receives a stream from an Aeron
 * subscription and publishes it into a local topic. Applications on every host keep using shared memory and the
 * same {@code Publisher}/{@code Subscriber} API; Aeron carries the bytes (reliable UDP, retransmission, flow
 * control), and each message carries a small header ({@link io.ringbus.examples.gateway.GatewayHeaderDescriptor})
 * through which the importer drops what a restarted exporter sends again and reports what was lost.
 * {@link io.ringbus.examples.gateway.GatewayDriver} embeds a media driver or connects to an external one.
 * Aeron needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} in the gateway's JVM, and only there.
 */
package io.ringbus.examples.gateway;
