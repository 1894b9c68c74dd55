package io.ringbus.examples.demo;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.examples.cli.BusCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bus demo}: four child JVMs, nothing lost, the check line, and the directory removed afterwards. */
class DemoCommandTest {
    private static final Pattern CHECK = Pattern.compile(
        "sent ([\\d,]+)  received ([\\d,]+) \\(2 subscribers\\)  lost 0  duplicated 0  out of order 0");
    private static final Pattern HEADER = Pattern.compile("one 1 MiB topic in (\\S+), 1 s");

    private static List<String> run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = BusCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        assertEquals(0, code, out + "\n" + err);
        assertEquals("", err.toString());
        return out.toString().lines().toList();
    }

    private static void checkLastLine(List<String> lines) {
        Matcher check = CHECK.matcher(lines.getLast());
        assertTrue(check.matches(), String.join("\n", lines));
        long sent = Long.parseLong(check.group(1).replace(",", ""));
        long received = Long.parseLong(check.group(2).replace(",", ""));
        assertTrue(sent > 0, "something was sent");
        assertEquals(2 * sent, received, "each subscriber received every message");
    }

    @Test
    void publisherAndSubscriberProcessesLoseNothingAndTheDirectoryGoes() {
        List<String> lines = run("demo", "--seconds", "1", "--paced-seconds", "2", "--paced-rate", "20000");
        checkLastLine(lines);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("  flat out sent ")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("  paced    sent ")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("flat out, the latency is queueing")),
            String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.matches("paced at 20,000 msg/s .* latency: p50 [\\d,.]+ us .*")),
            "the paced phase's latency, in microseconds:\n" + String.join("\n", lines));
        Matcher header = HEADER.matcher(lines.getFirst());
        assertTrue(header.find(), lines.getFirst());
        assertFalse(Files.exists(Path.of(header.group(1))), "the demo's bus directory is removed");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("  flat out sent ") && l.contains("latency p50")),
            "progress");
        assertTrue(lines.get(lines.size() - 2).startsWith("latency over the run: p50 "), String.join("\n", lines));
    }

    @Test
    void theInProcessDemoToo() {
        checkLastLine(run("demo", "--in-process", "--seconds", "1"));
    }
}
