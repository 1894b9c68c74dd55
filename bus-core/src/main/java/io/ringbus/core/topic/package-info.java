/**
 * The shared-memory implementation of a topic behind {@link io.ringbus.core.Bus}: the topic file and its
 * layout ({@code TopicFile}, {@code TopicDescriptor}), publisher and subscriber slots, the recovery of
 * dead peers' claims and slots, and the wakeup protocol. Users reach topics through {@code Bus}. Not
 * API; may change without notice (the module {@code io.ringbus.core} exports it to
 * {@code io.ringbus.transport} only).
 */
package io.ringbus.core.topic;
