/**
 * A lock-free ring of records in one {@code MemorySegment}, usable without the bus: lay one out with
 * {@link io.ringbus.core.ring.Ring#format} (or view one another process made with
 * {@link io.ringbus.core.ring.Ring#wrap}), write with a {@link io.ringbus.core.ring.RingWriter}, read
 * with a {@link io.ringbus.core.ring.RingReader} and a {@link io.ringbus.core.ring.MessageHandler}. The
 * {@code *Descriptor} classes are the byte layout, with diagrams: the format other implementations
 * read.
 */
package io.ringbus.core.ring;
