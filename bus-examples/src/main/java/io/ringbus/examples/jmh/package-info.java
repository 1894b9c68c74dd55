/**
 * JMH microbenchmarks of the in-process parts of the ring, on a {@link io.ringbus.core.ring.Ring}
 * formatted in {@code Arena} memory: {@link io.ringbus.examples.jmh.ClaimCommitBenchmark} (claim and
 * commit, the copying offers, both producer modes), {@link io.ringbus.examples.jmh.PollBenchmark}
 * (poll by batch) and {@link io.ringbus.examples.jmh.CursorMinimumBenchmark} (the slowest-cursor scan).
 * Run them with {@code ./bus bench jmh [JMH options] [regexps]}
 * ({@link io.ringbus.examples.jmh.JmhBenchCommand}); the ringbus jar carries JMH, the generated classes
 * and {@code META-INF/BenchmarkList}. Cross-thread and cross-process figures are {@code bus bench ring}'s.
 */
package io.ringbus.examples.jmh;
