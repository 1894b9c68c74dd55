/**
 * {@code bus bench record}: recording and replay throughput beside a bare Chronicle Queue appender measured in the
 * same run ({@link io.ringbus.examples.bench.record.RecordBenchCommand}). Runs in a JVM given the Chronicle flags
 * ({@code io.ringbus.transport.codec.CodecFlags}): the launcher's for {@code bench record}, a child JVM's under
 * {@code bench all}.
 */
package io.ringbus.examples.bench.record;
