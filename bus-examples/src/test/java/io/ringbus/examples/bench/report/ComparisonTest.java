package io.ringbus.examples.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A round whose floor checks disagree is logged as not counted, and left out of the row's medians;
 * one whose floors agree is counted and logs nothing.
 */
class ComparisonTest {
    @Test
    void aPairWhoseFloorsDisagreeIsNotCountedAndSaysWhy() {
        Comparison row = new Comparison("one-to-one throughput", "Agrona", "msg/s", true, 1.0);
        Comparison.Pair agreeing = new Comparison.Pair(1, 300, 310, 320, 20e6, 10e6);
        Comparison.Pair moved = new Comparison.Pair(2, 300, 900, 310, 1e6, 10e6);
        row.add(agreeing);
        row.add(moved);
        assertNull(agreeing.notCountedLine("ringbus vs Agrona", 0.3));
        String line = moved.notCountedLine("ringbus vs Agrona", 0.3);
        assertTrue(line.startsWith("round 2  ringbus vs Agrona: not counted") && line.contains("(300, 900, 310 ns)")
            && line.contains("30%"), line);
        Comparison.Summary summary = row.summarize(0.3);
        assertEquals(1, summary.qualified());
        assertEquals(2, summary.pairs());
        assertEquals(2.0, summary.ratio(), 1e-9, "only the counted round's ratio");
    }
}
