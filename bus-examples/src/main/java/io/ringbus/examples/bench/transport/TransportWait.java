package io.ringbus.examples.bench.transport;

import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.WakeupMode;
import java.util.Locale;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * How the endpoints of one {@code bus bench transport} run wait, alike on the ringbus side and on
 * the raw channel's: {@link #BLOCKING} waits in the kernel (a subscriber parks in {@code await}, a
 * raw peer blocks in {@code read}), {@link #SPIN} polls without pause (a {@link WakeupMode#SPIN}
 * subscriber with Agrona's {@code BusySpinIdleStrategy}, a raw peer looping on a non-blocking
 * {@code read}).
 */
enum TransportWait {
    BLOCKING,
    SPIN;

    /** The name on the command line and in tables. */
    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static TransportWait parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "blocking", "block" -> BLOCKING;
            case "spin", "spinning" -> SPIN;
            default -> throw new IllegalArgumentException("unknown wait mode '" + text + "'; choose blocking or spin");
        };
    }

    WakeupMode wakeupMode() {
        return this == SPIN ? WakeupMode.SPIN : WakeupMode.BLOCKING;
    }

    /** A subscriber config that waits this way. */
    SubscriberConfig subscriberConfig() {
        SubscriberConfig config = new SubscriberConfig().wakeup(wakeupMode());
        return this == SPIN ? config.idleStrategy(BusySpinIdleStrategy::new) : config;
    }

    /**
     * What a publisher does after a refused offer: spin, or back off (spin, yield, then park for up
     * to a millisecond) as a publisher that should not burn a core would.
     */
    IdleStrategy newPublisherIdle() {
        return this == SPIN ? new BusySpinIdleStrategy() : new BackoffIdleStrategy();
    }

    /** Whether raw channels are put in blocking mode. */
    boolean blockingChannels() {
        return this == BLOCKING;
    }
}
