/**
 * {@code bus bench wakeup} ({@link io.ringbus.examples.bench.wakeup.WakeupBenchCommand}): what each way
 * of waiting costs, a ping and a pong on a bus waiting in one wakeup mode
 * ({@link io.ringbus.examples.bench.wakeup.BusWakeupRoles}), the blocking mode beside the C futex
 * ping-pong ({@link io.ringbus.examples.bench.wakeup.CFutexPingPong}, whose source travels in the jar
 * beside it).
 */
package io.ringbus.examples.bench.wakeup;
