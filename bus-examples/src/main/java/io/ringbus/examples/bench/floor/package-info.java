/**
 * The floor check ({@link io.ringbus.examples.bench.floor.FloorCheck}): the cheapest cross-process round
 * trip on this machine right now, measured before, between and after the runs of every benchmark, so
 * that a pair of runs counts only when the machine stayed in one placement.
 */
package io.ringbus.examples.bench.floor;
