/**
 * What the ring and the topic layer share beneath the API: the atomic accessors on shared memory and
 * their JIT warm-up, claim intents and the recovery of dead writers' claims, the slot-level entry
 * points of readers and writers ({@link io.ringbus.core.ring.internal.RingSlots}), and crash-point test
 * hooks. Not API; may change without notice (the module {@code io.ringbus.core} does not export it).
 */
package io.ringbus.core.ring.internal;
