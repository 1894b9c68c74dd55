/**
 * Recording topics into Chronicle Queues and replaying them: what {@code bus record} and {@code bus replay}
 * run. A {@link io.ringbus.examples.record.TopicRecorder} is a durable subscriber that appends every message
 * of one topic, as a {@link io.ringbus.examples.record.EntryDescriptor} entry, to the queue of a
 * {@link io.ringbus.examples.record.Recording}; a {@link io.ringbus.examples.record.Replayer} reads one back
 * into a topic or onto a terminal. Chronicle needs its JVM flags here ({@code CodecFlags.CHRONICLE}).
 */
package io.ringbus.examples.record;
