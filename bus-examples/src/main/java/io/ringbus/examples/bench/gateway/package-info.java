/**
 * {@code bus bench gateway}: round trip and throughput of the gateway path (ring, gateway, Aeron over loopback
 * UDP, gateway, ring) beside raw Aeron between two processes with the same embedded drivers, measured in the
 * same run; and the CPU an idle gateway uses.
 */
package io.ringbus.examples.bench.gateway;
