/**
 * Byte streams (sockets, pipes, FIFOs) and, for each path, the bridge's acceptor and the client's
 * connector: where a new transport path is added. Framing, flow control and the bridge see only
 * {@link io.ringbus.transport.stream.ByteStream}; a program that hosts a bridge hands it one with
 * {@link io.ringbus.transport.bridge.Bridge#serve} (for example the pipes to a child process, from
 * {@link io.ringbus.transport.stream.FdStream}).
 */
package io.ringbus.transport.stream;
