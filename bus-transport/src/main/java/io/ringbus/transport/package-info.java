/**
 * Stream access paths (pipe, FIFO, Unix and TCP sockets) to the same publish/subscribe API as the
 * shared-memory bus: {@link io.ringbus.transport.BusClients#open} gives a
 * {@link io.ringbus.transport.BusClient} for a {@link io.ringbus.transport.TransportUri}, whose
 * publishers and subscribers keep the contract of {@code io.ringbus.core.Publisher} and
 * {@code io.ringbus.core.Subscriber}. Frames carry the records of
 * {@code io.ringbus.core.ring.RecordDescriptor}, without the commit stamp.
 */
package io.ringbus.transport;
