/**
 * The cross-process benchmarks, {@code bus bench [ring|wakeup|transport|all]}, one package per thing
 * measured. This package holds the run of all three ({@link io.ringbus.examples.bench.AllBenchCommand});
 * below it, each package imports only those further down:
 *
 * <pre>
 *   bench                 bus bench / bench all: the three in a row, one report folder
 *   ├─ ring               the ring against Agrona's ring buffers and Chronicle Queue (bus bench ring)
 *   ├─ wakeup             what each way of waiting costs, beside a C futex ping-pong (bus bench wakeup)
 *   ├─ transport          every access path against the raw JDK channel of its kind (bus bench transport)
 *   ├─ floor              the floor check printed beside every run
 *   ├─ report             result rows, tables' figures, the report folder and its chart
 *   └─ child              child JVMs: the parent's handle, the child's loop, the timing loops, files
 * </pre>
 *
 * <p>Harnesses are named by topology ({@link io.ringbus.examples.bench.ring.PingPongLatency},
 * {@link io.ringbus.examples.bench.ring.OneToOneThroughput},
 * {@link io.ringbus.examples.bench.ring.ManyToOneThroughput}). Every process in a measurement is its own
 * JVM, started from the same java binary and class path as the command, driven over its stdin and
 * reporting over its stdout ({@link io.ringbus.examples.bench.child.ChildRunner}). Only the JVMs that run
 * Agrona get {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}; the command itself and
 * every ringbus JVM never load an Agrona class that needs it.
 */
package io.ringbus.examples.bench;
