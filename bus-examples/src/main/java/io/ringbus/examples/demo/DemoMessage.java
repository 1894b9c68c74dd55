package io.ringbus.examples.demo;

/**
 * Layout of a demo message, and of the last message each publisher sends.
 *
 * <pre>
 *   0                   8                   16                  24                  32
 *   +-------------------+-------------------+-------------------+-------------------+
 *   | publisher id      | sequence          | send time         | spare             |
 *   | (long)            | (long, from 0)    | (System.nanoTime) | (long)            |
 *   +-------------------+-------------------+-------------------+-------------------+
 * </pre>
 *
 * <p>The last message of a publisher has sequence {@link #END} and carries in its spare field how
 * many messages it sent: a subscriber that receives it has received everything of that publisher
 * (one publisher's messages arrive in order). {@code System.nanoTime} reads CLOCK_MONOTONIC on
 * Linux, the same clock in every process, so a subscriber subtracts the send time from its own.
 */
final class DemoMessage {
    static final int LENGTH = 32;
    static final int PUBLISHER_OFFSET = 0;
    static final int SEQUENCE_OFFSET = 8;
    static final int SEND_TIME_OFFSET = 16;
    static final int SPARE_OFFSET = 24;

    /** Sequence of the last message of a publisher. */
    static final long END = -1;

    /** The topic the demo's processes share. */
    static final String TOPIC = "demo";

    private DemoMessage() {
    }
}
