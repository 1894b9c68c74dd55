package io.ringbus.stress.fuzz;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.RingConfig;

/** Valid shapes for fuzz inputs to start from: small rings at ordinary and boundary positions. */
final class Shapes {
    private Shapes() {
    }

    /** A valid ring config: capacity 1024 to {@code maxCapacity}, 1 to {@code maxCursors} cursors. */
    static RingConfig ringConfig(FuzzInput in, int maxCapacity, int maxCursors) {
        int capacity = 1024 << in.nextInt(Integer.numberOfTrailingZeros(maxCapacity) - 9);
        int maxMessageLength = in.oneIn(3) ? 1 + in.nextInt(capacity / 8) : capacity / 8;
        ProducerMode mode = in.pick(ProducerMode.values());
        RingConfig config = new RingConfig().capacity(capacity).maxCursors(1 + in.nextInt(maxCursors))
            .maxMessageLength(maxMessageLength).producerMode(mode).initialPosition(initialPosition(in, capacity));
        in.note("ring " + mode + " capacity " + capacity + " max message " + maxMessageLength + " cursors "
            + config.maxCursors() + " initial " + config.initialPosition());
        return config;
    }

    /** An aligned initial position: zero, small, near 2^31, 2^32, or the highest a ring accepts. */
    static long initialPosition(FuzzInput in, int capacity) {
        long near = switch (in.nextInt(6)) {
            case 0 -> 0;
            case 1 -> in.nextInt(1 << 16);
            case 2 -> 1L << 31;
            case 3 -> 1L << 32;
            case 4 -> Long.MAX_VALUE - 2L * capacity;
            default -> in.nextLong(Long.MAX_VALUE - 2L * capacity);
        };
        long position = near + (in.nextInt(2 * capacity) - capacity);
        position = Math.max(0, Math.min(position, Long.MAX_VALUE - 2L * capacity));
        return position & -16L;
    }
}
