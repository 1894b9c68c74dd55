/**
 * {@code bus bench wakeup} ({@link io.ringbus.examples.bench.wakeup.WakeupBenchCommand}): what each way
 * of waiting costs, a ping and a pong on a bus waiting in one wakeup mode
 * ({@link io.ringbus.examples.bench.wakeup.BusWakeupRoles}), the blocking and signal modes beside C
 * ping-pongs ({@link io.ringbus.examples.bench.wakeup.CPingPong}, whose sources travel in the jar beside
 * it), quiet and with a busy process beside ({@link io.ringbus.examples.bench.wakeup.Condition}).
 */
package io.ringbus.examples.bench.wakeup;
