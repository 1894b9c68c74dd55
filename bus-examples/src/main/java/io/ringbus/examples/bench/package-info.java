/**
 * Cross-process benchmarks of the ring against Agrona's ring buffers, run by {@code bus bench ring}
 * ({@link io.ringbus.examples.bench.RingBenchCommand}), and of every access path against the raw
 * JDK channel of the same kind, run by {@code bus bench transport}
 * ({@link io.ringbus.examples.bench.TransportBenchCommand}: {@code TransportPingPong},
 * {@code TransportThroughput}, raw peers {@code RawPingPong} and {@code RawThroughput}).
 *
 * <p>Harnesses are named by topology ({@link io.ringbus.examples.bench.PingPongLatency},
 * {@link io.ringbus.examples.bench.OneToOneThroughput},
 * {@link io.ringbus.examples.bench.ManyToOneThroughput}). Every process in a measurement is its own
 * JVM, started from the same java binary and class path as the command, driven over its stdin and
 * reporting over its stdout ({@link io.ringbus.examples.bench.ChildRunner}). Only the JVMs that run
 * Agrona get {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}; the command itself and
 * every ringbus JVM never load an Agrona class that needs it.
 */
package io.ringbus.examples.bench;
