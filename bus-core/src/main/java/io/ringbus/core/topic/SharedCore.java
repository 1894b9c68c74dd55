package io.ringbus.core.topic;

/**
 * Whether a blocking subscriber's next wait should park at once instead of polling first: it should when
 * the publisher that last woke it ran on the very processor the subscriber was woken on.
 *
 * <p><b>Why.</b> With a busy process beside a ping-pong on two processors, the two sides end up sharing
 * one processor (the busy process has the other). A side that has just posted its peer and then polls for
 * the reply (its fixed polls, then its spin) only holds back that peer, queued behind it on the same
 * processor: measured with stamps per step, 2-4 µs p50 from a post to the woken thread running, most of it
 * the waiter's polls. Parking at once hands the processor over, which is what the C futex ping-pong does.
 * When the two run on different processors (idle ones: the quiet case), polling is what lets a reply be
 * caught without any wakeup at all, so it is kept.
 *
 * <p><b>Evidence.</b> The posting publisher stamps its processor beside the post time
 * ({@link SubscriberSlotDescriptor#POST_CPU_OFFSET}); the subscriber, woken by that post, compares it with
 * the processor it runs on. Each such wakeup decides anew, so a pair that the scheduler moves apart goes
 * back to polling at its next wakeup. A wait that parks at once is woken by a post, so it keeps bringing
 * evidence; a wait whose spin caught its message brings none and changes nothing. A processor not known
 * (-1: an older publisher, or a system that cannot say) changes nothing either.
 *
 * <p>Not thread-safe: one per subscriber, used by the thread in {@code await}.
 */
final class SharedCore {
    private final boolean enabled;
    private boolean parkAtOnce;

    SharedCore(boolean enabled) {
        this.enabled = enabled;
    }

    /** A post woke this subscriber: its publisher ran on {@code posterCpu}, and it woke on {@code ownCpu}. */
    void onWoken(int posterCpu, int ownCpu) {
        if (posterCpu < 0 || ownCpu < 0) {
            return;
        }
        parkAtOnce = enabled && posterCpu == ownCpu;
    }

    /** Whether the next wait should skip its polls and spin and park at once. */
    boolean parkAtOnce() {
        return parkAtOnce;
    }
}
