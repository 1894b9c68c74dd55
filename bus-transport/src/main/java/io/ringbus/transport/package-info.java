/**
 * Stream access paths (pipe, FIFO, Unix and TCP sockets) to the same publish/subscribe API as the
 * shared-memory bus. Framing carries the records of {@code io.ringbus.core.RecordDescriptor}.
 */
package io.ringbus.transport;
