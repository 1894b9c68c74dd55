/**
 * {@code bus bench transport} ({@link io.ringbus.examples.bench.transport.TransportBenchCommand}): round
 * trip and throughput of every access path (Unix socket, TCP, FIFO, pipe through a bridge, and the
 * shared-memory bus itself), each beside the raw JDK channel of the same kind, in the same run:
 * {@code TransportPingPong} and {@code TransportThroughput}, with the raw peers {@code RawPingPong} and
 * {@code RawThroughput}. The child JVMs start at {@link io.ringbus.examples.bench.transport.TransportRoles}.
 */
package io.ringbus.examples.bench.transport;
