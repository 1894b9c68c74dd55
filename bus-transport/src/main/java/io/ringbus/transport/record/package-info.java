/**
 * Recording topics into Chronicle Queues and replaying them: what {@code bus record} and {@code bus replay}
 * run. A {@link io.ringbus.transport.record.TopicRecorder} is a durable subscriber that appends every message
 * of one topic, as a {@link io.ringbus.transport.record.EntryDescriptor} entry, to the queue of a
 * {@link io.ringbus.transport.record.Recording}; a {@link io.ringbus.transport.record.Replayer} reads one back
 * into a topic or onto a terminal.
 *
 * <p>Chronicle Queue is an optional dependency of this module: an application that records adds
 * {@code net.openhft:chronicle-queue}, and its JVM needs Chronicle's flags
 * ({@link io.ringbus.transport.codec.CodecFlags#all()}, as {@code ./bus record} gets), and only that JVM.
 */
package io.ringbus.transport.record;
