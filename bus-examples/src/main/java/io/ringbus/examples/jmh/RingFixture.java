package io.ringbus.examples.jmh;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.core.ring.Ring;
import io.ringbus.core.ring.RingConfig;
import java.lang.foreign.Arena;

/**
 * A ring in {@code Arena} memory for one benchmark trial: the same layout and algorithms as a
 * topic file, without the file. Close it in the trial's tear-down.
 */
final class RingFixture implements AutoCloseable {
    private final Arena arena;
    private final Ring ring;

    RingFixture(int capacity, int maxCursors, ProducerMode mode) {
        RingConfig config = new RingConfig().capacity(capacity).maxCursors(maxCursors).producerMode(mode);
        arena = Arena.ofShared();
        // Cache-line aligned, as a mapped file is page aligned.
        ring = Ring.format(arena.allocate(config.requiredLength(), 64), config);
    }

    Ring ring() {
        return ring;
    }

    @Override
    public void close() {
        arena.close();
    }
}
