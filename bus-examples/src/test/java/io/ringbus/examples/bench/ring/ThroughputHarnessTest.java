package io.ringbus.examples.bench.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThroughputHarnessTest {
    private static final List<String> YIELD = List.of("-Dringbus.bench.idle=yield");

    @Test
    void childrenYieldWhenTheTopologyHasMoreProcessesThanCores() {
        assertEquals(YIELD, ThroughputHarness.idleFlags(OneToManyThroughput.TOPOLOGY, 2));
        assertEquals(YIELD, ThroughputHarness.idleFlags(ManyToOneThroughput.TOPOLOGY, 2));
    }

    @Test
    void childrenSpinWhenEveryProcessHasACore() {
        assertEquals(List.of(), ThroughputHarness.idleFlags(OneToOneThroughput.TOPOLOGY, 2));
        assertEquals(List.of(), ThroughputHarness.idleFlags(OneToManyThroughput.TOPOLOGY, 4));
        assertEquals(List.of(), ThroughputHarness.idleFlags(ManyToOneThroughput.TOPOLOGY, 3));
    }
}
