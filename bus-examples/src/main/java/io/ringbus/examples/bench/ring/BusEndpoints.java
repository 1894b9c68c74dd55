package io.ringbus.examples.bench.ring;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.core.ring.ProducerMode;
import java.nio.file.Path;

/**
 * How the public-API rows of {@code bus bench ring} open their topics: the way the README's first
 * example does, through {@link Bus}, {@link Publisher} and {@link Subscriber}, with the settings a
 * user who wants the lowest latency picks (single producer where the row has one publisher, a
 * {@link WakeupMode#SPIN} subscriber that is only ever polled, topic wakeup off). Every child of a
 * side opens the same topic with the same {@link TopicConfig}, so whichever starts first creates it.
 *
 * <p>Arguments every bus role starts with: {@code <bus dir> <capacity> <SINGLE|MANY> <publishers>}.
 */
final class BusEndpoints {
    /** Arguments before a role's own. */
    static final int ARGS = 4;

    private BusEndpoints() {
    }

    /** The arguments that describe a side's bus: its directory and its topics' shape. */
    static java.util.List<String> args(Path directory, int capacity, ProducerMode mode, int publishers) {
        return java.util.List.of(directory.toString(), Integer.toString(capacity), mode.name(),
            Integer.toString(publishers));
    }

    static Bus open(String[] args) {
        return Bus.open(new BusContext().directory(Path.of(args[0])));
    }

    static TopicConfig topicConfig(String[] args) {
        return new TopicConfig()
            .capacity(Integer.parseInt(args[1]))
            .producerMode(ProducerMode.valueOf(args[2]))
            .maxPublishers(Math.max(1, Integer.parseInt(args[3])))
            .wakeup(false);
    }

    static SubscriberConfig subscriberConfig() {
        return new SubscriberConfig().wakeup(WakeupMode.SPIN);
    }

    /** The {@code index}th argument after the bus's own, as an int, or {@code otherwise}. */
    static int intArg(String[] args, int index, int otherwise) {
        return args.length > ARGS + index ? Integer.parseInt(args[ARGS + index]) : otherwise;
    }
}
