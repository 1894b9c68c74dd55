/**
 * What every package of bus-examples shares: the exit codes every command lists
 * ({@link io.ringbus.examples.support.ExitCodes}), the command-line conventions
 * ({@link io.ringbus.examples.support.CommandLines}), the converters of sizes, durations and topic
 * arguments, and the formatting of byte counts. It imports none of its sibling packages, so that any
 * of them may use it without a cycle ({@code PackageDependenciesTest} keeps it so).
 */
package io.ringbus.examples.support;
