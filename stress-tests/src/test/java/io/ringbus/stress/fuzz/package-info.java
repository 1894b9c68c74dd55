/**
 * Seeded fuzzing of everything a peer writes (ring headers and records, topic files, frames and frame
 * streams): each target must answer every input with a valid result or a typed error, never anything
 * else. Run by {@code mvn verify}; {@code FuzzRegressionTest} replays the inputs that once found a bug.
 */
package io.ringbus.stress.fuzz;
