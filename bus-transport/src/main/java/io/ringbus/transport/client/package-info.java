/**
 * The client side of the stream paths: a connection to the bridge per publisher or subscriber, its
 * handshake, reconnection and background flushing. Reached through
 * {@link io.ringbus.transport.BusClients}. Not API; may change without notice.
 */
package io.ringbus.transport.client;
