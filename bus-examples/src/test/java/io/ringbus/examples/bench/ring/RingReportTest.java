package io.ringbus.examples.bench.ring;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.examples.bench.report.Comparison;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code bus bench ring --json} stays one line of valid JSON whatever a row's note holds: a peer's
 * error message may carry tabs, line breaks or other control characters, which JSON strings must
 * escape.
 */
class RingReportTest {
    @Test
    void aNoteWithControlCharactersIsEscaped() {
        Comparison row = new Comparison("ping-pong RTT p50", "Agrona", "ns", false, Double.NaN);
        row.note("peer failed:\tline one\nline two\u0001 \"quoted\" \\");
        RingOptions options = new RingOptions(1, 2, 0, 1, 0, 0, 1, 4096, 0.1, Duration.ofSeconds(1),
            Duration.ofSeconds(1), Duration.ofSeconds(1));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        RingReport.printJson(out, List.of(row), options, 1.0);

        String json = bytes.toString(StandardCharsets.UTF_8).strip();
        assertFalse(json.chars().anyMatch(c -> c < 0x20), "no raw control character in " + json);
        String escaped = "\"peer failed:\\tline one\\nline two\\u0001 \\\"quoted\\\" \\\\\"";
        assertTrue(json.contains("\"notMeasured\":" + escaped + ",\"note\":" + escaped), json);
    }
}
