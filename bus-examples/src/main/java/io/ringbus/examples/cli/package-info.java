/**
 * The {@code bus} command line ({@link io.ringbus.examples.cli.BusCommand}), at the top of bus-examples:
 * it wires up the commands of the other packages (the samples, {@code demo}, {@code bench},
 * {@code jmh}) beside its own, and no other package imports it.
 */
package io.ringbus.examples.cli;
