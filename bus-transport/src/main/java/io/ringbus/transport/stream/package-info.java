/**
 * Byte streams (sockets, pipes, FIFOs) and, for each path, the bridge's acceptor and the client's
 * connector: where a new transport path is added. Framing, flow control and the bridge see only
 * {@link io.ringbus.transport.stream.ByteStream}. Not API; may change without notice.
 */
package io.ringbus.transport.stream;
