package io.ringbus.examples.support;

import io.ringbus.core.BusContext;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.RingConfig;
import io.ringbus.core.ring.RingDescriptor;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * The checks of what the commands pass on to a topic (its name, capacity, maximum message, a durable
 * subscriber's name), made before anything is opened or created: a bad value is a usage error (exit 2)
 * naming the option, and the bus directory and the topic file are left as they were.
 */
public final class TopicArguments {
    private TopicArguments() {
    }

    /** A topic name on the command line ({@code TOPIC}, {@code --pub TOPIC}): what becomes a file name. */
    public static final class Name implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                BusContext.checkTopicName(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            return value;
        }
    }

    /** Fails with a usage error unless {@code capacity} (the value of {@code option}) is a ring capacity. */
    public static void checkCapacity(CommandSpec spec, String option, int capacity) {
        if (capacity < RingDescriptor.MIN_CAPACITY || capacity > RingDescriptor.MAX_CAPACITY
            || Integer.bitCount(capacity) != 1) {
            throw new ParameterException(spec.commandLine(), option + " " + capacity + " must be a power of two"
                + " between " + RingDescriptor.MIN_CAPACITY + " (" + Sizes.bytes(RingDescriptor.MIN_CAPACITY)
                + ") and " + RingDescriptor.MAX_CAPACITY + " (" + Sizes.bytes(RingDescriptor.MAX_CAPACITY)
                + ")");
        }
    }

    /**
     * The topic config of {@code --capacity} and {@code --max-message} (either may be null: not given),
     * checked as a new topic would need them: a capacity, and a maximum message of 1 to capacity/8 bytes
     * (the default capacity's when {@code --capacity} is not given, as the topic would be created with it).
     */
    public static TopicConfig config(CommandSpec spec, Integer capacity, Integer maxMessage) {
        TopicConfig config = new TopicConfig();
        if (capacity != null) {
            checkCapacity(spec, "--capacity", capacity);
            config.capacity(capacity);
        }
        if (maxMessage != null) {
            if (maxMessage < 1) {
                throw new ParameterException(spec.commandLine(), "--max-message " + maxMessage + " must be at least"
                    + " 1 byte (leave it out for the most: capacity/8)");
            }
            int ring = capacity != null ? capacity : RingConfig.DEFAULT_CAPACITY;
            if (maxMessage > ring / 8) {
                long needed = Long.highestOneBit((long) maxMessage * 8 - 1) << 1;
                String which = capacity != null ? "--capacity " + Sizes.bytes(ring)
                    : "the default capacity, " + Sizes.bytes(ring);
                String fix = needed <= RingDescriptor.MAX_CAPACITY ? "give a --capacity of at least "
                    + Sizes.bytes(needed) : "the longest message a topic can have is "
                    + RingDescriptor.MAX_CAPACITY / 8 + " bytes";
                throw new ParameterException(spec.commandLine(), "--max-message " + maxMessage + " is more than"
                    + " capacity/8 = " + ring / 8 + " (" + which + "); " + fix);
            }
            config.maxMessageLength(maxMessage);
        }
        return config;
    }

    /** Fails with a usage error unless {@code name} (of {@code --name}) can be a durable subscriber's name. */
    public static void checkDurableName(CommandSpec spec, String name) {
        if (name == null) {
            return;
        }
        try {
            new SubscriberConfig().durableName(name).conclude();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--name: " + e.getMessage());
        }
    }
}
