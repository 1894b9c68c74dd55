/**
 * The multi-process fault-injection harness behind {@code bus stress}: publisher and subscriber child
 * processes on one topic, faults injected at random (kills, stops, joins, hostile peers, a full file
 * system, the CLI's own pub and sub), every message checked, and the figures and verdict of the run.
 */
package io.ringbus.stress.process;
