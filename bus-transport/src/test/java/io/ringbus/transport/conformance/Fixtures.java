package io.ringbus.transport.conformance;

import java.util.stream.Stream;

/** The paths every conformance case runs over: {@code @MethodSource} providers. */
final class Fixtures {
    private Fixtures() {
    }

    /**
     * Every path; or, while {@value #GATEWAY_PROPERTY} is set ({@link ConformanceGatewayTest}, whose JVM has
     * Aeron's flag), the gateway path alone.
     */
    static Stream<PathFixture> all() {
        if (Boolean.getBoolean(GATEWAY_PROPERTY)) {
            return Stream.of(GatewayFixture.tethered(), GatewayFixture.untethered());
        }
        return Stream.concat(Stream.of(new ShmFixture()), streams());
    }

    /** Property that makes {@link #all()} the gateway path alone. */
    static final String GATEWAY_PROPERTY = "ringbus.conformance.gateway";

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
