package io.ringbus.stress.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bus stress --via aeron}, briefly: publishers on bus A, two gateway processes over loopback UDP,
 * subscribers on bus B, with gateways killed -9 and restarted among the process faults. What the subscribers get
 * is whole, in order per publisher and never repeated, and every message they miss comes right after one of the
 * importer's loss notices (MessageCheck; a gap without one counts as lost): every failure figure stays at zero,
 * and a killed exporter's loss is counted as announced, not lost.
 */
class StressAeronTest {
    @Test
    @Timeout(240)
    void gatewayKillsAmongTheFaultsLoseOnlyWhatTheImporterAnnounces() {
        StressFigures figures = new StressRun(new StressOptions()
            .duration(Duration.ofSeconds(20))
            .via(Via.AERON)
            .faults("gateway-kill=20,pub-kill=6,sub-kill=6,sub-stop=6")
            .seed(20261206))
            .run(progress -> { });
        System.out.println(figures.toText());
        assertEquals(List.of(), figures.failures(), figures.toText());
        assertEquals(0, figures.lost());
        assertEquals(0, figures.duplicated());
        assertEquals(0, figures.outOfOrder());
        assertEquals(0, figures.torn());
        assertEquals(List.of(), figures.leftoverFiles());
        assertTrue(figures.committed() > 0);
        figures.received().forEach((subscriber, count) -> assertTrue(count > 0, subscriber + " received nothing"));
        for (String kind : List.of("gateway-kill", "pub-kill", "sub-kill", "sub-stop")) {
            assertTrue(figures.faults().getOrDefault(kind, 0L) > 0, kind + " never ran:\n" + figures.toText());
        }
        Map<String, Long> gateway = figures.gateway();
        assertEquals(figures.faults().get("gateway-kill"), gateway.get("gateway_kills"), figures.toText());
        if (gateway.get("exporter_kills") > 0) {
            // Dead for a JVM's start, longer than the 1 s it may hold publishers back: evicted, and the importer
            // says what it missed.
            assertTrue(gateway.get("loss_notices_sent") > 0 && figures.announcedLost() > 0, figures.toText());
        }
        assertTrue(figures.toJson().contains("\"announced_lost\":"), figures.toJson());
    }
}
