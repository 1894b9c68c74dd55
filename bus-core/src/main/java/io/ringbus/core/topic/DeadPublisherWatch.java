package io.ringbus.core.topic;

/**
 * Notices a subscriber held up by a dead publisher: when the subscriber's position has not moved for
 * an interval although the ring's tail is past it, the record it waits at may be a claim whose
 * publisher died before committing, so {@link DeadClaims#recover} is asked to look (and pad it if so).
 * Called from the polling thread on empty polls and between park slices; not thread-safe.
 */
final class DeadPublisherWatch {
    private final TopicFile topic;
    private final long intervalNanos;
    private long stuckPosition = -1;
    private long stuckSince;

    DeadPublisherWatch(TopicFile topic, long intervalNanos) {
        this.topic = topic;
        this.intervalNanos = intervalNanos;
    }

    /** Records that the subscriber is at {@code position}; recovers dead claims once it sat there too long. */
    void check(long position) {
        long now = System.nanoTime();
        if (position != stuckPosition) {
            stuckPosition = position;
            stuckSince = now;
        } else if (now - stuckSince >= intervalNanos) {
            stuckSince = now;
            if (position < topic.ring().tail()) {
                DeadClaims.recover(topic, position);
            }
        }
    }
}
