/**
 * {@code bus bench ring} ({@link io.ringbus.examples.bench.ring.RingBenchCommand}): ringbus's ring
 * against its peers ({@link io.ringbus.examples.bench.ring.Peer}: Agrona's ring buffers on the same kind
 * of mapped file, Chronicle Queue), across processes, in the same run. The harnesses are named by
 * topology ({@code PingPongLatency}, {@code OneToOneThroughput}, {@code ManyToOneThroughput},
 * {@code OneToManyThroughput}); each peer's side of them runs in child JVMs started at
 * {@link io.ringbus.examples.bench.ring.RingRoles}.
 */
package io.ringbus.examples.bench.ring;
