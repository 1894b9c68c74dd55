/**
 * What the benchmarks report: a result row of ringbus beside its peer, round by round
 * ({@link io.ringbus.examples.bench.report.Comparison}), the figures as tables print them
 * ({@link io.ringbus.examples.bench.report.Figures}), and the report folder
 * ({@link io.ringbus.examples.bench.report.ReportFolder}: {@code summary.md} and a latency chart).
 */
package io.ringbus.examples.bench.report;
