package io.ringbus.transport.bridge;

import io.ringbus.core.LossListener;
import io.ringbus.core.SlowConsumerPolicy;
import io.ringbus.core.StartPosition;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import io.ringbus.transport.MalformedFrameException;
import io.ringbus.transport.frame.Hello;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/** Turns a hello's options into the topic and subscriber configs the bridge opens the topic with. */
final class HelloOptions {
    private HelloOptions() {
    }

    static TopicConfig topicConfig(Hello hello) {
        TopicConfig config = new TopicConfig();
        for (Map.Entry<String, String> option : hello.properties().entrySet()) {
            boolean known;
            try {
                known = config.set(option.getKey(), option.getValue());
            } catch (IllegalArgumentException e) {
                throw new MalformedFrameException("hello option " + option.getKey() + ": " + e.getMessage());
            }
            if (!known && !isSubscriberOption(option.getKey())) {
                throw new MalformedFrameException("unknown hello option '" + option.getKey() + "'");
            }
            if (!known && hello.role() == Hello.Role.PUB) {
                throw new MalformedFrameException("hello option '" + option.getKey() + "' is for subscribers");
            }
        }
        return config;
    }

    private static boolean isSubscriberOption(String key) {
        return switch (key) {
            case "start", "durable", "policy", "evictAfterMs", "commit" -> true;
            default -> false;
        };
    }

    static SubscriberConfig subscriberConfig(Hello hello, WakeupMode wakeup, LossListener lossListener) {
        Map<String, String> options = hello.properties();
        SubscriberConfig config = new SubscriberConfig().wakeup(wakeup).lossListener(lossListener);
        String start = options.getOrDefault("start", "latest");
        try {
            config.start(StartPosition.valueOf(start.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException("start must be latest or earliest, not '" + start + "'");
        }
        if (options.containsKey("durable")) {
            config.durableName(options.get("durable"));
        }
        String commit = options.getOrDefault("commit", "auto");
        switch (commit) {
            case "auto" -> config.explicitCommit(false);
            case "explicit" -> config.explicitCommit(true);
            default -> throw new MalformedFrameException("commit must be auto or explicit, not '" + commit + "'");
        }
        String policy = options.getOrDefault("policy", "backpressure");
        switch (policy) {
            case "backpressure" -> config.slowConsumerPolicy(SlowConsumerPolicy.BACK_PRESSURE);
            case "evict" -> config.slowConsumerPolicy(SlowConsumerPolicy.EVICT);
            default -> throw new MalformedFrameException("policy must be backpressure or evict, not '" + policy + "'");
        }
        if (options.containsKey("evictAfterMs")) {
            try {
                config.evictAfter(Duration.ofMillis(Long.parseLong(options.get("evictAfterMs"))));
            } catch (NumberFormatException e) {
                throw new MalformedFrameException("evictAfterMs must be a number of milliseconds");
            }
        }
        try {
            return config.conclude();
        } catch (IllegalArgumentException e) {
            throw new MalformedFrameException(e.getMessage());
        }
    }
}
