package io.ringbus.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.examples.cli.BusCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bus bench ring --sizes} runs the ping-pong and the one-to-one throughput at each size, with
 * tiny counts: every size has its rows against Agrona and Chronicle Queue, with figures on both
 * sides; only the 64-byte rows carry a target; the chart shows the 64-byte ping-pong. No timing is
 * checked.
 */
class RingBenchCommandTest {
    @TempDir
    Path reportDirectory;

    @Test
    void pingPongAndThroughputRunAtEverySize() throws Exception {
        // bench ring prints its log and table on System.out, not on the command line's writer.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        CommandLine commandLine = BusCommand.newCommandLine();
        commandLine.setErr(new PrintWriter(err, true));
        PrintStream original = System.out;
        int code;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            code = commandLine.execute("bench", "ring", "--quick", "--rounds", "1", "--only", "ping-pong,one-to-one",
                "--sizes", "288,64", "--round-trips", "1000", "--warmup-round-trips", "500", "--warmup-millis", "10",
                "--messages", "20000", "--warmup-runs", "1", "--report", reportDirectory.toString());
        } finally {
            System.setOut(original);
        }
        String output = out.toString(StandardCharsets.UTF_8) + "\n" + err;
        assertEquals(0, code, output);
        List<String> lines = output.lines().toList();
        int table = lines.indexOf(lines.stream().filter(l -> l.startsWith("== results")).findFirst().orElseThrow());
        List<String> rows = lines.subList(table + 3, lines.size()).stream()
            .filter(l -> l.startsWith("ping-pong") || l.startsWith("one-to-one")).toList();
        for (String size : List.of("64 B", "288 B")) {
            for (String name : List.of("ping-pong RTT p50, ", "ping-pong RTT p99.9, ",
                "ping-pong p50 vs Chronicle Queue, ", "one-to-one throughput, ",
                "one-to-one throughput vs Chronicle Queue, ")) {
                String row = rows.stream().filter(l -> l.startsWith(name + size)).findFirst()
                    .orElseThrow(() -> new AssertionError("no row '" + name + size + "' in\n" + output));
                assertTrue(row.matches(".*\\d[MK]? (ns|msg/s) .*\\d[MK]? (ns|msg/s) .*"),
                    "figures for ringbus and its peer on " + row);
                boolean targeted = row.contains("<= 0.") || row.contains(">= 2.");
                boolean headline = size.equals("64 B") && (name.equals("ping-pong RTT p50, ")
                    || name.equals("ping-pong p50 vs Chronicle Queue, ") || name.equals("one-to-one throughput, "));
                assertEquals(headline, targeted, "a target only on the 64-byte headline rows: " + row);
            }
        }
        assertFalse(output.contains("could not run"), "Chronicle Queue ran at both sizes");
        ReportFolderTest.checkReport(reportDirectory, "benchmark", "ratio",
            List.of("ringbus ring", "Agrona", "Chronicle Queue"));
    }

    @Test
    void quickAndFullTogetherAreABadUsage() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = BusCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(err, true));
        assertEquals(2, commandLine.execute("bench", "--quick", "--full"));
        assertTrue(err.toString().contains("--quick and --full exclude each other"), err.toString());
    }
}
