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
     * The stream paths: those with a bridge that can go away, and a byte stream a peer can corrupt. The
     * socket paths run twice: with the bridge's defaults (the first connections on threads of their own)
     * and with every connection on its event loops ({@code unix-loop}, {@code tcp-loop}).
     * ({@code shm:} has neither: clients map the topic file themselves, and a dead peer process is
     * bus-core's liveness, tested there with real processes.)
     */
    static Stream<PathFixture> streams() {
        return Stream.<PathFixture>of(new PipeFixture(), new FifoFixture(), SocketFixture.unix(), SocketFixture.tcp(),
            new MqFixture(), SocketFixture.unixLoop(), SocketFixture.tcpLoop()).filter(Fixtures::selected);
    }

    /**
     * Whether the property {@value #PATHS_PROPERTY} (a comma-separated list of fixture names, such as
     * {@code mq,unix}) selects the fixture; without it, every fixture runs. For running one path's cases
     * while working on it: {@code -Dringbus.conformance.paths=mq}.
     */
    private static boolean selected(PathFixture fixture) {
        String paths = System.getProperty(PATHS_PROPERTY, "").strip();
        return paths.isEmpty() || java.util.Arrays.asList(paths.split(",")).contains(fixture.name());
    }

    /** Property naming the stream fixtures to run (all when unset). */
    static final String PATHS_PROPERTY = "ringbus.conformance.paths";
}
