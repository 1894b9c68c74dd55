/**
 * The {@code shm:} path: a {@link io.ringbus.transport.BusClient} that is the mapped-file bus itself, no
 * bridge in between. Reached through {@link io.ringbus.transport.BusClients}. Not API; may change
 * without notice.
 */
package io.ringbus.transport.shm;
