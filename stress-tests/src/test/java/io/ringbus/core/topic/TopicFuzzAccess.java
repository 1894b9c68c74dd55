package io.ringbus.core.topic;

/**
 * The fuzz tests' way to the bus layer's package-private recovery ({@code DeadClaims}), which the
 * bus otherwise reaches only on timers (a subscriber stuck for 100 ms, a publisher's sweep). It
 * lives in the stress tests' test sources, in bus-core's package, so bus-core exports nothing for
 * tests.
 */
public final class TopicFuzzAccess {
    private TopicFuzzAccess() {
    }

    /** {@code DeadClaims.recover}: pads the claim at {@code position} if its owner is dead. */
    public static boolean recoverDeadClaim(TopicFile topic, long position) {
        return DeadClaims.recover(topic, position);
    }

    /** {@code DeadClaims.padIntentOfDeadPublisher}: what a publisher taking over slot {@code slot} does. */
    public static void padIntentOfDeadPublisher(TopicFile topic, int slot) {
        DeadClaims.padIntentOfDeadPublisher(topic, slot);
    }
}
