package io.ringbus.core;

/**
 * A topic has every publisher slot, or every subscriber slot, held by a live process: the new publisher or
 * subscriber cannot join until one of them closes (or dies), or the topic is created again with more slots
 * ({@link TopicConfig#maxPublishers}, {@link TopicConfig#maxSubscribers}; over a stream path the hello
 * options {@code maxPublishers=N}, {@code maxSubscribers=N}, which count when the topic is created). A bridge
 * answers a stream client with a {@code REJECT} frame carrying this message.
 */
public class SlotsExhaustedException extends RingBusException {
    private final String topic;
    private final boolean publishers;
    private final int slots;

    /** Every slot of one kind of {@code topic} is taken. */
    public SlotsExhaustedException(String topic, boolean publishers, int slots, String message, Throwable cause) {
        super(message, cause);
        this.topic = topic;
        this.publishers = publishers;
        this.slots = slots;
    }

    /** The topic. */
    public String topic() {
        return topic;
    }

    /** True for publisher slots, false for subscriber slots. */
    public boolean publishers() {
        return publishers;
    }

    /** How many slots of that kind the topic has. */
    public int slots() {
        return slots;
    }
}
