/**
 * Codec views on claims and polled payloads: Chronicle Bytes ({@link ChronicleClaim}, {@link ChroniclePayload})
 * and Agrona buffers for SBE codecs ({@link AgronaClaim}, {@link AgronaPayload}). Each view is made once and
 * re-pointed at every message, so writing a typed message into a claim, or reading one from the ring, copies
 * nothing and allocates nothing.
 *
 * <pre>
 *   Publisher.tryClaim(n) ──► [ ring: header │ n payload bytes │ ... ]
 *                                             ▲
 *   ChronicleClaim.bytes() / AgronaClaim.buffer(): a view of exactly those n bytes, moved per claim
 * </pre>
 *
 * <p><b>Optional.</b> Chronicle Bytes is an optional dependency of bus-transport: an application that uses
 * the Chronicle views adds {@code net.openhft:chronicle-bytes} itself; one that never touches this package
 * needs neither it nor any JVM flag. Agrona is already on the class path (bus-core uses its idle strategies).
 *
 * <p><b>JVM flags.</b> Each library reaches into the JDK: {@link CodecFlags} lists what a JVM using each
 * view needs, and the views fail fast with a {@link MissingJvmFlagsException} naming the flag when one
 * that matters is missing.
 *
 * <p><b>Memory.</b> The views are raw pointers (the libraries read and write through {@code Unsafe}), so
 * they check bounds against the claim or payload themselves but cannot outlive it: a view used after its
 * claim was committed, or after its handler returned, or after the bus was closed, reads or writes memory
 * ringbus no longer vouches for.
 */
package io.ringbus.transport.codec;
