package io.ringbus.examples.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.examples.cli.BusCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

/**
 * The report folder: {@code summary.md} holds the table as printed and the run's particulars, and
 * {@code latency.svg} is well-formed XML with one series group per measured variant. Checked on
 * made-up figures, and on a tiny {@code bus bench wakeup} run. No timing is checked.
 */
public class ReportFolderTest {
    @TempDir
    Path directory;

    /** Checks the folder's two files; {@code headers} must appear in summary.md, the chart holds {@code series}. */
    public static void checkReport(Path folder, String header1, String header2, List<String> series) throws Exception {
        Path summary = folder.resolve(ReportFolder.SUMMARY);
        Path chart = folder.resolve(ReportFolder.CHART);
        assertTrue(Files.isRegularFile(summary), summary + " exists");
        assertTrue(Files.isRegularFile(chart), chart + " exists");
        String md = Files.readString(summary);
        assertTrue(md.lines().anyMatch(line -> line.contains(header1) && line.contains(header2)),
            "the table header (" + header1 + ", " + header2 + ") in\n" + md);
        for (String particular : List.of("- date: ", "- command: `./bus bench", "- machine: ", "- JDK: ",
            "- placement: ")) {
            assertTrue(md.contains(particular), particular + " in\n" + md);
        }
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document svg = factory.newDocumentBuilder().parse(chart.toFile());
        assertEquals("svg", svg.getDocumentElement().getLocalName());
        NodeList groups = svg.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
        List<String> variants = new ArrayList<>();
        for (int i = 0; i < groups.getLength(); i++) {
            Element group = (Element) groups.item(i);
            if (group.getAttribute("class").equals("series")) {
                variants.add(group.getAttribute("data-variant"));
            }
        }
        assertEquals(series, variants, "one series per measured variant");
        String text = svg.getDocumentElement().getTextContent();
        assertTrue(text.contains("round-trip latency (log scale)"), "an x-axis label");
        for (String percentile : LatencySeries.LABELS) {
            assertTrue(text.contains(percentile), "the legend names " + percentile);
        }
    }

    @Test
    void writesTheTableAndAChartWithOneSeriesPerVariant() throws Exception {
        String table = "benchmark   ringbus   peer   ratio\nping-pong RTT p50   171 ns   Agrona   1.06x\n";
        List<LatencySeries> series = List.of(
            new LatencySeries("ringbus ring", 171, 201, 240, 390),
            new LatencySeries("Agrona", 161, 190, 211, 301),
            new LatencySeries("Chronicle Queue <&>", 386, 440, 6_367, 10_149),
            new LatencySeries("not run", Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        Path folder = ReportFolder.write(directory.resolve("nested/report"),
            List.of(new ReportSection("bench ring", "./bus bench ring --quick", table, series)));
        checkReport(folder, "benchmark", "ratio",
            List.of("ringbus ring", "Agrona", "Chronicle Queue <&>", "not run"));
        assertTrue(Files.readString(folder.resolve(ReportFolder.SUMMARY)).contains("ping-pong RTT p50"));
    }

    @Test
    void anUmbrellaRunWritesOneFolderForAllItsBenchmarks() throws Exception {
        List<ReportSection> sections = List.of(
            new ReportSection("bench ring", "./bus bench ring --quick", "benchmark  ringbus  ratio\n",
                List.of(new LatencySeries("ringbus ring", 200, 250, 300, 400))),
            new ReportSection("bench wakeup", "./bus bench wakeup --quick", "mode  p50 ns\n",
                List.of(new LatencySeries("ringbus blocking", 8_000, 9_000, 20_000, 60_000),
                    new LatencySeries("C futex ping-pong", 4_000, 5_000, 5_500, 30_000))));
        Path folder = ReportFolder.write(directory, "./bus bench --quick", sections);
        checkReport(folder, "benchmark", "ratio", List.of("ringbus ring", "ringbus blocking", "C futex ping-pong"));
        String md = Files.readString(folder.resolve(ReportFolder.SUMMARY));
        assertTrue(md.contains("- command: `./bus bench --quick`, which ran:\n  - `./bus bench ring --quick`\n"
            + "  - `./bus bench wakeup --quick`\n"), md);
        assertTrue(md.contains("## bench ring") && md.contains("## bench wakeup") && md.contains("mode  p50 ns"), md);
    }

    @Test
    void aQuickWakeupRunWritesItsReport() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = BusCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        Path folder = directory.resolve("wakeup");
        int code = commandLine.execute("bench", "wakeup", "--quick", "--rounds", "1", "--round-trips", "400",
            "--idle-seconds", "1", "--report", folder.toString());
        assertEquals(0, code, out + "\n" + err);
        boolean c = !out.toString().contains("skipped:");
        List<String> series = new java.util.ArrayList<>(List.of("ringbus spin", "ringbus poll loop"));
        for (String condition : List.of("quiet", "busy")) {
            series.add("ringbus blocking (" + condition + ")");
            if (c) {
                series.add("C futex (" + condition + ")");
            }
            series.add("ringbus signal (" + condition + ")");
            if (c) {
                series.add("C kill/sigwait (" + condition + ")");
            }
        }
        checkReport(folder, "mode", "p50 ns", series);
        String md = Files.readString(folder.resolve(ReportFolder.SUMMARY));
        assertTrue(md.contains("./bus bench wakeup --quick --rounds 1"), md);
        assertTrue(md.contains("spin await RTT p50") && md.contains("spin await RTT p99.9"), md);
        if (c) {
            assertTrue(md.contains("blocking RTT p50") && md.contains("<= 1.20x") && md.contains("<= 3.00x"), md);
            assertTrue(md.contains("blocking and signal vs C, quiet (nothing added; load average")
                && md.contains("blocking and signal vs C, busy (one busy process added beside"), md);
            assertTrue(md.contains("signal RTT p50"), md);
        }
    }
}
