package io.ringbus.core.topic;

import io.ringbus.core.ring.CursorDescriptor;

/**
 * Layout of the bus layer's part of a subscriber slot: bytes 16 to 128 of a ring cursor slot
 * ({@link CursorDescriptor#EXTENSION_OFFSET}). Offsets here are from the start of the cursor slot.
 *
 * <pre>
 *   0: cursor position (long) and 8: cursor state (int), owned by the ring ({@link CursorDescriptor})
 *   16         20         24                   32         36         40         44         48
 *   +----------+----------+--------------------+----------+----------+----------+----------+
 *   | pid      | flags    | start time (long)  | wake word| parked   | signal   | name len |
 *   | (int)    | (int)    | (clock ticks)      | (int)    | (int)    | (int)    | (int)    |
 *   +----------+----------+--------------------+----------+----------+----------+----------+
 *   48: durable name, UTF-8, up to 32 bytes ............................................. 80
 *   80: evicted at position (long) | 88: bytes missed at eviction (long) | 96: stall since ms (long)
 *   104: evict after, ms (long) | 112: last post time, ns (long) | 120: last post CPU + 1 (int) | 124: reserved
 * </pre>
 *
 * <ul>
 *   <li><b>wake word</b>: a counting semaphore on a futex. A publisher that finds {@code parked}
 *       set adds one and wakes; the subscriber takes one before it polls again.</li>
 *   <li><b>parked</b>: 1 while the subscriber is parked or about to park.</li>
 *   <li><b>flags</b>: {@link #FLAG_DURABLE}, {@link #FLAG_EVICTABLE}, {@link #FLAG_SIGNAL}.</li>
 *   <li><b>last post time</b>: {@code System.nanoTime()} of the publisher that last posted the wake
 *       word, stamped just before the post; the woken subscriber learns from it what a wakeup costs
 *       ({@link SpinBudget}). Only a hint: 0 (a file of an older ringbus) or a stale value is ignored.</li>
 *   <li><b>last post CPU + 1</b>: the processor that publisher ran on when it posted, plus one (0: not
 *       known, or a file of an older ringbus); stamped with the post time. The woken subscriber compares it
 *       with its own processor ({@link SharedCore}).</li>
 *   <li><b>evicted at</b>: set by the publisher that evicted a stalled subscriber (state
 *       {@link #EVICTED}); the subscriber reads it to report what it missed.</li>
 * </ul>
 */
public final class SubscriberSlotDescriptor {
    public static final int PID_OFFSET = 16;
    public static final int FLAGS_OFFSET = 20;
    public static final int START_TIME_OFFSET = 24;
    public static final int WAKE_WORD_OFFSET = 32;
    public static final int PARKED_OFFSET = 36;
    public static final int SIGNAL_OFFSET = 40;
    public static final int NAME_LENGTH_OFFSET = 44;
    public static final int NAME_OFFSET = 48;
    public static final int MAX_NAME_BYTES = 32;
    public static final int EVICTED_AT_OFFSET = 80;
    public static final int MISSED_BYTES_OFFSET = 88;
    public static final int STALL_SINCE_OFFSET = 96;
    public static final int EVICT_AFTER_OFFSET = 104;
    public static final int POST_TIME_OFFSET = 112;
    public static final int POST_CPU_OFFSET = 120;

    /** Cursor state of a subscriber evicted for stalling: it no longer holds publishers back. */
    public static final int EVICTED = 3;

    public static final int FLAG_DURABLE = 1;
    public static final int FLAG_EVICTABLE = 2;
    public static final int FLAG_SIGNAL = 4;

    private SubscriberSlotDescriptor() {
    }
}
