package io.ringbus.transport.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.Publisher;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each gateway does all its work on one thread, so none of its routes may wait: this case would hang if one did.
 * Gateway A exports {@code out} and imports {@code back}; gateway B imports {@code out} and exports {@code back};
 * on bus B an echo sends every message of {@code out} back on {@code back}; on bus A a publisher sends flat out
 * into small rings and small Aeron terms while a subscriber reads the echoes, and the echo and the reader pause
 * now and then. Every ring fills and every publication is back-pressured, in both directions at once: an
 * importer that waited for its full ring would stop its thread's driver, and so the exporter beside it, and so
 * the echo, which is what would empty that ring. Everything tethered: every echo must arrive, in order, once.
 */
@Tag("aeron") // with the gateway tests of this module, in the aeron-test execution (see this module's pom)
class GatewayEchoTest {
    private static final int MESSAGES = 300_000;
    private static final TopicConfig SMALL = new TopicConfig().capacity(64 << 10);

    private TwoBuses buses;
    private Bus busA;
    private Bus busB;
    private GatewayDriver driverA;
    private GatewayDriver driverB;
    private Gateway gatewayA;
    private Gateway gatewayB;

    @BeforeEach
    void setUp() throws IOException {
        buses = TwoBuses.create("rb-aeron-echo-");
        busA = buses.a();
        busB = buses.b();
        for (Bus bus : List.of(busA, busB)) {
            bus.newPublisher("out", SMALL).close();
            bus.newPublisher("back", SMALL).close();
        }
        // The smallest terms: an exporter's publication then takes 32 KiB ahead of its receiver, and is
        // back-pressured whenever the far side stops reading for a moment.
        driverA = GatewayDriver.embedded(buses.root().resolve("a"), "a", 64 << 10, line -> { });
        driverB = GatewayDriver.embedded(buses.root().resolve("b"), "b", 64 << 10, line -> { });
    }

    @AfterEach
    void tearDown() {
        for (AutoCloseable closeable : new AutoCloseable[] {gatewayA, gatewayB, driverA, driverB, buses}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception ignored) {
                // Tearing down: the case's result stands.
            }
        }
    }

    @Test
    @Timeout(120)
    void echoesThroughFullRingsBothWaysAllArriveInOrder() throws Exception {
        String toB = "aeron:udp?endpoint=127.0.0.1:" + TwoBuses.freeUdpPort();
        String toA = "aeron:udp?endpoint=127.0.0.1:" + TwoBuses.freeUdpPort();
        SubscriberConfig fromStart = new SubscriberConfig().start(StartPosition.EARLIEST);
        gatewayB = Gateway.start(busB, driverB, List.of(Route.of("back", toA)), List.of(Route.of("out", toB)),
            () -> new SubscriberConfig().start(StartPosition.EARLIEST), line -> { });
        gatewayA = Gateway.start(busA, driverA, List.of(Route.of("out", toB)), List.of(Route.of("back", toA)),
            () -> new SubscriberConfig().start(StartPosition.EARLIEST), line -> { });
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Subscriber echoIn = busB.newSubscriber("out", SMALL, fromStart);
        Publisher echoOut = busB.newPublisher("back", SMALL);
        // The echo and the reader of the echoes stop now and then, so that the rings before them fill up.
        Thread echo = Thread.ofPlatform().name("bus-b-echo").start(() -> {
            long[] echoed = {0};
            try {
                while (echoed[0] < MESSAGES && !Thread.currentThread().isInterrupted()) {
                    echoIn.await((type, buffer, offset, length) -> {
                        while (echoOut.offer(buffer, offset, length) < 0) {
                            Thread.onSpinWait(); // the ring back is full: wait for gateway B to send it on
                        }
                        if (++echoed[0] % 5_000 == 0) {
                            LockSupport.parkNanos(10_000_000);
                        }
                    }, 64, 10_000_000L);
                }
            } catch (RuntimeException | Error e) {
                failure.set(e);
            }
        });
        Publisher publisher = busA.newPublisher("out", SMALL);
        Thread publishing = Thread.ofPlatform().name("bus-a-publisher").start(() -> {
            byte[] message = new byte[48];
            try {
                for (long n = 0; n < MESSAGES && !Thread.currentThread().isInterrupted(); n++) {
                    ByteBuffer.wrap(message).putLong(0, n);
                    while (publisher.offer(message) < 0) {
                        Thread.onSpinWait(); // flat out: the ring out is full
                    }
                }
            } catch (RuntimeException | Error e) {
                failure.set(e);
            }
        });
        Subscriber echoes = busA.newSubscriber("back", SMALL, fromStart);
        long[] next = {0};
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(100);
        while (next[0] < MESSAGES) {
            assertTrue(System.nanoTime() < deadline, "only " + next[0] + " echoes came back; gateway A: "
                + gatewayA.statusLines() + ", gateway B: " + gatewayB.statusLines());
            assertNull(failure.get());
            assertNull(gatewayA.failure());
            assertNull(gatewayB.failure());
            echoes.await((type, buffer, offset, length) -> {
                long n = buffer.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), offset);
                assertEquals(next[0], n, "the echoes in order, each once");
                assertEquals(48, length, "whole");
                if (++next[0] % 7_000 == 0) {
                    LockSupport.parkNanos(10_000_000);
                }
            }, 64, 10_000_000L);
        }
        publishing.join(TimeUnit.SECONDS.toMillis(10));
        echo.join(TimeUnit.SECONDS.toMillis(10));
        assertNull(failure.get());
        assertEquals(0, echoes.poll((type, buffer, offset, length) -> { }, 1), "no echo more than was sent");
    }
}
