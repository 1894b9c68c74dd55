package io.ringbus.examples.bench.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.examples.bench.report.ReportFolderTest;
import io.ringbus.examples.cli.BusCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bus bench transport} runs to its table with tiny counts, on the Unix socket path and on the
 * pipe path (whose pipe pairs the benchmark hands to the bridge itself): the rows are there,
 * with figures on both sides, and nothing is left in the benchmark directory. No timing is checked.
 */
class TransportBenchCommandTest {
    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = BusCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @TempDir
    Path reportDirectory;

    @Test
    void quickRunOnTheUnixAndPipePathsPrintsItsTable() throws Exception {
        Run run = run("bench", "transport", "--quick", "--paths", "unix,pipe", "--rounds", "1",
            "--report", reportDirectory.toString(),
            "--startup-round-trips", "500", "--startup-millis", "10", "--warmup-round-trips", "100",
            "--warmup-millis", "10", "--round-trips", "1000", "--warmup-runs", "1", "--messages", "20000");
        assertEquals(0, run.exitCode(), run.out() + "\n" + run.err());
        assertEquals("", run.err());
        List<String> lines = run.out().lines().toList();
        int table = lines.indexOf(lines.stream().filter(l -> l.startsWith("== results")).findFirst().orElseThrow());
        for (String path : List.of("unix/blocking", "pipe/blocking")) {
            checkRows(lines.subList(table + 2, lines.size()).stream().filter(l -> l.startsWith(path)).toList(),
                run.out());
        }
        assertTrue(lines.getLast().startsWith("report: "), lines.getLast());
        assertTrue(lines.get(lines.size() - 2).startsWith("finished in "), lines.get(lines.size() - 2));
        ReportFolderTest.checkReport(reportDirectory, "path", "measure",
            List.of("unix/blocking ringbus", "unix/blocking raw", "pipe/blocking ringbus", "pipe/blocking raw"));
        assertFalse(run.out().contains("shm against unix"), "no shm path was measured");
        assertNothingLeft();
    }

    private static void checkRows(List<String> rows, String out) {
        assertEquals(3, rows.size(), out);
        assertTrue(rows.get(0).contains("round trip p50 | p99"), rows.get(0));
        assertTrue(rows.get(1).contains("publish, batched"), rows.get(1));
        assertTrue(rows.get(2).contains("subscribe, batched"), rows.get(2));
        for (String row : rows) {
            assertTrue(row.contains("<= 1.20x") || row.contains(">= 0.80x"), "a target on " + row);
            boolean roundTrips = row.matches(".*\\d \\| \\d[.\\d]* us +\\d[.\\d]* \\| \\d[.\\d]* us.*");
            boolean rates = row.matches(".*\\d[KM] \\d[.\\d]* MB/s +\\d[.\\d]*[KM] \\d[.\\d]* MB/s.*");
            assertTrue(roundTrips || rates, "figures for ringbus and raw on " + row);
        }
    }

    @Test
    void everySizeGetsItsOwnTableAndOnlySixtyFourBytesHaveTargets() throws Exception {
        Run run = run("bench", "transport", "--quick", "--paths", "unix", "--only", "round-trip", "--sizes", "288,64",
            "--rounds", "1", "--no-report", "--startup-round-trips", "200", "--startup-millis", "10",
            "--warmup-round-trips", "100", "--warmup-millis", "10", "--round-trips", "500");
        assertEquals(0, run.exitCode(), run.out() + "\n" + run.err());
        assertTrue(run.out().contains("== round trip, unix/blocking: one 288-byte message in flight"), run.out());
        assertTrue(run.out().contains("unix/blocking; 288, 64-byte messages"), "the header names both sizes");
        List<String> lines = run.out().lines().toList();
        List<Integer> tables = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("== results")) {
                tables.add(i);
            }
        }
        assertEquals(2, tables.size(), run.out());
        String sized = lines.get(tables.get(0));
        assertTrue(sized.contains("288-byte messages") && sized.contains("the targets are for 64-byte"), sized);
        String sizedRow = lines.get(tables.get(0) + 2);
        assertTrue(sizedRow.startsWith("unix/blocking") && !sizedRow.contains("<= 1.20x"), "no target: " + sizedRow);
        assertTrue(lines.get(tables.get(1)).contains("64-byte messages"), lines.get(tables.get(1)));
        String row = lines.get(tables.get(1) + 2);
        assertTrue(row.startsWith("unix/blocking") && row.contains("<= 1.20x"), "the target at 64 bytes: " + row);
        assertNothingLeft();
    }

    @Test
    void threeStageRawPeersGetRowsWithBothRatios() throws Exception {
        Run run = run("bench", "transport", "--quick", "--paths", "unix", "--three-stage", "--rounds", "1",
            "--no-report", "--startup-round-trips", "200", "--startup-millis", "10", "--warmup-round-trips", "100",
            "--warmup-millis", "10", "--round-trips", "500", "--warmup-runs", "1", "--messages", "20000");
        assertEquals(0, run.exitCode(), run.out() + "\n" + run.err());
        assertEquals("", run.err());
        List<String> lines = run.out().lines().toList();
        assertTrue(run.out().contains("round 1  raw3     floor"), "the three-stage round trip ran: " + run.out());
        assertTrue(run.out().contains("round 1  raw3 publish"), "the three-stage publish ran: " + run.out());
        assertTrue(run.out().contains("round 1  raw3 subscribe"), "the three-stage subscribe ran: " + run.out());
        int table = lines.indexOf(lines.stream().filter(l -> l.startsWith("three stages on the raw side"))
            .findFirst().orElseThrow(() -> new AssertionError("no three-stage table: " + run.out())));
        assertTrue(lines.get(table + 1).contains("raw-3 / raw") && lines.get(table + 1).contains("ringbus / raw-3"),
            lines.get(table + 1));
        for (String path : List.of("unix/blocking")) { // one path: the rows are the same code for every path
            List<String> rows = lines.subList(table + 2, lines.size()).stream().filter(l -> l.startsWith(path))
                .toList();
            assertEquals(3, rows.size(), run.out());
            assertTrue(rows.get(0).contains("round trip p50"), rows.get(0));
            assertTrue(rows.get(1).contains("publish, batched"), rows.get(1));
            assertTrue(rows.get(2).contains("subscribe, batched"), rows.get(2));
            for (String row : rows) {
                boolean roundTrips = row.matches(".*\\d us +\\d[.\\d]* us +\\d[.\\d]* us.*");
                // a stalled run prints K in place of M: any rate counts, the row's shape is what is checked
                String rate = "\\d[.\\d]*[KM] \\d[.\\d]* MB/s +";
                boolean rates = row.matches(".*\\d[KM] \\d[.\\d]* MB/s +" + rate + rate + "\\d.*");
                assertTrue(roundTrips || rates, "figures for ringbus, raw-3 and raw on " + row);
                assertTrue(row.matches(".* \\d+\\.\\d+x +\\d+\\.\\d+x +.*"), "both ratios on " + row);
            }
        }
        assertNothingLeft();
    }

    @Test
    void theHelpNamesTheThreeStageOption() {
        Run run = run("bench", "transport", "--help");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("--three-stage"), run.out());
    }

    @Test
    void anUnknownPathIsAUsageError() {
        Run run = run("bench", "transport", "--paths", "unix,bogus");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("unknown path 'bogus'"), run.err());
    }

    private static void assertNothingLeft() throws IOException {
        Path directory = Path.of("/dev/shm", "ringbus-bench-" + System.getProperty("user.name"));
        if (!Files.isDirectory(directory)) {
            return;
        }
        String prefix = ProcessHandle.current().pid() + "-";
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> left = files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
            assertEquals(List.of(), left, "files of this run left behind");
        }
    }
}
