package io.ringbus.transport.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * Every case of {@link ConformanceTest} over the gateway path ({@link GatewayFixture}): publishers on bus A,
 * subscribers on bus B, two gateways between them over Aeron. In the {@code aeron} group, whose JVM has Aeron's
 * one flag; {@link Fixtures#all()} gives this class the gateway fixture alone.
 */
@Tag("aeron")
class ConformanceGatewayTest extends ConformanceTest {
    @BeforeAll
    static void gatewayOnly() {
        System.setProperty(Fixtures.GATEWAY_PROPERTY, "true");
    }

    @AfterAll
    static void everyPathAgain() {
        System.clearProperty(Fixtures.GATEWAY_PROPERTY);
    }
}
