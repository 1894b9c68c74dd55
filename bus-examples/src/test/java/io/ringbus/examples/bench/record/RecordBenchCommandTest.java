package io.ringbus.examples.bench.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.stress.common.JvmLauncher;
import io.ringbus.transport.codec.CodecFlags;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code bus bench record} runs every row, checks what each recorded, replayed and read (a row that lost a
 * message fails the command), and prints its table: a figure per row and the ratio of recording to a bare
 * Chronicle appender. Tiny runs: says nothing about performance.
 */
class RecordBenchCommandTest {
    @Test
    void measuresEveryRowAndPrintsTheTable() throws Exception {
        List<String> flags = new ArrayList<>(CodecFlags.all());
        flags.add("-Dslf4j.internal.verbosity=ERROR");
        Process bench = JvmLauncher.start(RecordBenchCommand.class, flags, List.of("--messages", "20000", "--runs",
            "1"));
        String out = new String(bench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(bench.waitFor(120, TimeUnit.SECONDS), "bench record did not finish");
        assertEquals(0, bench.exitValue(), out);
        List<String> lines = out.lines().toList();
        int mark = lines.indexOf(RecordBenchCommand.TABLE_MARK);
        assertTrue(mark > 0, out);
        String number = "[0-9][0-9,]*";
        for (int row = 0; row < 4; row++) {
            String line = lines.get(mark + 2 + row);
            assertTrue(line.matches(List.of("bare-append", "record", "replay-read", "replay-publish").get(row)
                + " +" + number + " +" + number + " +" + number), line);
        }
        assertTrue(lines.get(mark + 6).matches("record / bare-append: [0-9]+\\.[0-9]{2} .*"), lines.get(mark + 6));
    }
}
