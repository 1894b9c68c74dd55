/**
 * {@code bus demo}: publisher and subscriber processes on one topic of a fresh bus (or, with
 * {@code --in-process}, threads on one ring), the rate and latency shown as it goes and a check line at
 * the end; the child processes talk to the parent over their standard streams.
 */
package io.ringbus.examples.demo;
