/**
 * The child JVMs of the benchmarks, both ends: the parent's handle on one
 * ({@link io.ringbus.examples.bench.child.ChildJvm}), what the child runs
 * ({@link io.ringbus.examples.bench.child.ChildRunner} and a {@link io.ringbus.examples.bench.child.ChildRole}),
 * the timing loops every ring shares ({@code PingLoop}, {@code PublisherLoop}, {@code SubscriberLoop}),
 * the spin guard, and the run's files and clean-up.
 */
package io.ringbus.examples.bench.child;
