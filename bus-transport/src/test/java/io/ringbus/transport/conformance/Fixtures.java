package io.ringbus.transport.conformance;

import java.util.stream.Stream;

/** The paths every conformance case runs over: {@code @MethodSource} providers. */
final class Fixtures {
    private Fixtures() {
    }

    /** Every path. */
    static Stream<PathFixture> all() {
        return Stream.concat(Stream.of(new ShmFixture()), streams());
    }

    /**
     * The stream paths: those with a bridge that can go away, and a byte stream a peer can corrupt.
     * ({@code shm:} has neither: clients map the topic file themselves, and a dead peer process is
     * bus-core's liveness, tested there with real processes.)
     */
    static Stream<PathFixture> streams() {
        return Stream.of(new PipeFixture(), new FifoFixture(), SocketFixture.unix(), SocketFixture.tcp());
    }
}
