package io.ringbus.core;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.RingConfig;
import io.ringbus.core.topic.TopicFile;
import io.ringbus.core.topic.TopicDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a topic. The creator's values fix the topic; an opener's values are requirements:
 * each one set must match the existing topic, or opening fails with {@link TopicMismatchException}.
 * Values left unset take the {@link BusContext}'s defaults at creation and are not checked at
 * opening.
 */
public final class TopicConfig {
    private Integer capacity;
    private Integer maxMessageLength;
    private ProducerMode producerMode;
    private Integer maxPublishers;
    private Integer maxSubscribers;
    private Boolean wakeup;
    private Boolean timestamps;

    /**
     * A config that requires nothing: a topic is created with the bus context's defaults, and any
     * existing topic of the name is accepted. Each setter adds a value to create with and to require.
     */
    public TopicConfig() {
    }

    /** Ring data bytes, a power of two. */
    public TopicConfig capacity(int capacity) {
        this.capacity = capacity;
        return this;
    }

    /** Largest message; at most, and by default, capacity / 8. */
    public TopicConfig maxMessageLength(int maxMessageLength) {
        this.maxMessageLength = maxMessageLength;
        return this;
    }

    /** One publisher or many. */
    public TopicConfig producerMode(ProducerMode producerMode) {
        this.producerMode = producerMode;
        return this;
    }

    /** Publisher slots. */
    public TopicConfig maxPublishers(int maxPublishers) {
        this.maxPublishers = maxPublishers;
        return this;
    }

    /** Subscriber slots (ring cursors). */
    public TopicConfig maxSubscribers(int maxSubscribers) {
        this.maxSubscribers = maxSubscribers;
        return this;
    }

    /**
     * Whether blocking and signal subscribers are supported: publishers then pay one full fence per
     * commit to look for parked subscribers. On by default; spin-only topics turn it off.
     */
    public TopicConfig wakeup(boolean wakeup) {
        this.wakeup = wakeup;
        return this;
    }

    /**
     * Whether every message carries its publish time: the publisher stamps it (wall clock, nanoseconds since
     * the Unix epoch, {@code CLOCK_REALTIME}) when it claims the message, and subscribers read it with
     * {@link Subscriber#publishTime()} inside their handler. Off by default: then publishers read no clock and
     * records hold nothing more. It takes {@link #TIMESTAMP_LENGTH} bytes of each record, taken from the
     * maximum message length when that is left to its default (capacity / 8), and added to the ring's when
     * it is set.
     */
    public TopicConfig timestamps(boolean timestamps) {
        this.timestamps = timestamps;
        return this;
    }

    /** Ring bytes the publish time takes in each record of a timestamped topic. */
    public static final int TIMESTAMP_LENGTH = TopicDescriptor.TIMESTAMP_LENGTH;

    /**
     * The values to create a topic with: this config's, else the context's defaults; validated, before
     * anything is created. A config whose own requirements the topic it creates would not meet (a
     * maximum message length of 0, which a ring reads as "the default") is refused here too: it would
     * otherwise create a topic and then refuse it as having another shape.
     *
     * @throws IllegalArgumentException naming the value out of range
     */
    TopicFile.Shape shapeForCreation(BusContext context) {
        if (maxMessageLength != null && maxMessageLength < 1) {
            throw new IllegalArgumentException("maxMessageLength " + maxMessageLength + " must be at least 1 (leave"
                + " it unset for the default, capacity/8)");
        }
        int ringCapacity = capacity != null ? capacity : context.defaultCapacity();
        int publishers = maxPublishers != null ? maxPublishers : context.defaultMaxPublishers();
        if (publishers < 1 || publishers > TopicDescriptor.MAX_PUBLISHER_SLOTS) {
            throw new IllegalArgumentException("maxPublishers " + publishers + " must be between 1 and "
                + TopicDescriptor.MAX_PUBLISHER_SLOTS);
        }
        boolean stamped = timestamps != null && timestamps;
        if (stamped && maxMessageLength != null && (long) maxMessageLength + TIMESTAMP_LENGTH > ringCapacity / 8) {
            throw new IllegalArgumentException("maxMessageLength " + maxMessageLength + " with timestamps takes "
                + ((long) maxMessageLength + TIMESTAMP_LENGTH) + " ring bytes per record, over capacity/8 = "
                + ringCapacity / 8 + ": set at most " + (ringCapacity / 8 - TIMESTAMP_LENGTH) + ", or a larger"
                + " capacity");
        }
        int ringMaxMessageLength = maxMessageLength == null ? 0
            : stamped ? maxMessageLength + TIMESTAMP_LENGTH : maxMessageLength;
        RingConfig ring = new RingConfig()
            .capacity(ringCapacity)
            .maxMessageLength(ringMaxMessageLength)
            .producerMode(producerMode != null ? producerMode : context.defaultProducerMode())
            .maxCursors(maxSubscribers != null ? maxSubscribers : context.defaultMaxSubscribers())
            .conclude();
        int slots = ring.producerMode() == ProducerMode.SINGLE ? 1 : publishers;
        TopicFile.Shape shape = new TopicFile.Shape(ring, slots, wakeup != null ? wakeup : true, stamped);
        String unmet = differencesFrom(shape);
        if (unmet != null) {
            throw new IllegalArgumentException("the topic this config creates would not have the shape it requires ("
                + unmet + "): check the values set");
        }
        return shape;
    }

    /** Differences between what this config requires and an existing topic's shape, or null when none. */
    String differencesFrom(TopicFile.Shape existing) {
        List<String> differences = new ArrayList<>();
        RingConfig ring = existing.ring();
        compare(differences, "capacity", capacity, ring.capacity());
        compare(differences, "maxMessageLength", maxMessageLength, existing.maxMessageLength());
        compare(differences, "producerMode", producerMode, ring.producerMode());
        compare(differences, "maxPublishers", maxPublishers, existing.maxPublishers());
        compare(differences, "maxSubscribers", maxSubscribers, ring.maxCursors());
        compare(differences, "wakeup", wakeup, existing.wakeup());
        compare(differences, "timestamps", timestamps, existing.timestamps());
        return differences.isEmpty() ? null : String.join("; ", differences);
    }

    /**
     * The requirements this config sets, as text ({@code capacity=65536}, ...), for carrying it over a
     * stream path; {@link #set} reads them back.
     */
    public Map<String, String> requirements() {
        Map<String, String> properties = new LinkedHashMap<>();
        putIfSet(properties, "capacity", capacity);
        putIfSet(properties, "maxMessageLength", maxMessageLength);
        putIfSet(properties, "producerMode", producerMode);
        putIfSet(properties, "maxPublishers", maxPublishers);
        putIfSet(properties, "maxSubscribers", maxSubscribers);
        putIfSet(properties, "wakeup", wakeup);
        putIfSet(properties, "timestamps", timestamps);
        return properties;
    }

    /**
     * Sets one requirement from text, as {@link #requirements()} writes it.
     *
     * @return false when {@code name} is not a topic requirement
     * @throws IllegalArgumentException when the value is not valid for it
     */
    public boolean set(String name, String value) {
        try {
            switch (name) {
                case "capacity" -> capacity = Integer.parseInt(value);
                case "maxMessageLength" -> maxMessageLength = Integer.parseInt(value);
                case "producerMode" -> producerMode = ProducerMode.valueOf(value);
                case "maxPublishers" -> maxPublishers = Integer.parseInt(value);
                case "maxSubscribers" -> maxSubscribers = Integer.parseInt(value);
                case "wakeup" -> wakeup = parseBoolean(value);
                case "timestamps" -> timestamps = parseBoolean(value);
                default -> {
                    return false;
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + value + "' is not a valid " + name, e);
        }
        return true;
    }

    private static boolean parseBoolean(String value) {
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException("not true or false");
        }
        return Boolean.parseBoolean(value);
    }

    private static void putIfSet(Map<String, String> properties, String name, Object value) {
        if (value != null) {
            properties.put(name, value.toString());
        }
    }

    private static void compare(List<String> differences, String name, Object required, Object actual) {
        if (required != null && !required.equals(actual)) {
            differences.add(name + " is " + actual + ", required " + required);
        }
    }
}
