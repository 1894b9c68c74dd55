package io.ringbus.stress.process;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The check of a {@code bus sub} output file: whole files pass; a kill -9 that cut a line and lost
 * what followed is named exactly (which lines, which bytes, which kill); lines printed again after a
 * restart are told apart from duplicates; a joiner owes only an unbroken run.
 */
class CliOutputCheckTest {
    private final SplittableRandom random = new SplittableRandom(11);

    /** An output file being written, with the file's length noted at each kill. */
    private final class File {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Long> kills = new ArrayList<>();

        File lines(int publisher, long from, long to) {
            for (long seq = from; seq < to; seq++) {
                bytes.writeBytes(CliLine.encode(publisher, seq, random));
            }
            return this;
        }

        /** The first {@code length} bytes of a line, as a writer killed in the middle of it leaves. */
        File cut(int publisher, long seq, int length) {
            bytes.writeBytes(Arrays.copyOf(CliLine.encode(publisher, seq, random), length));
            return this;
        }

        File kill() {
            kills.add((long) bytes.size());
            return this;
        }

        CliOutputCheck.Result check(Map<Integer, Long> published, boolean complete, boolean lastCutAllowed) {
            return CliOutputCheck.check(bytes.toByteArray(), kills, published, complete, lastCutAllowed);
        }
    }

    @Test
    void linesCheckThemselves() {
        byte[] line = CliLine.encode(3, 12345, random);
        String text = new String(line, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("P3 0000012345 ") && text.endsWith("\n"), text);
        assertEquals(new CliLine.Parsed(3, 12345), CliLine.parse(line, 0, line.length - 1));
        assertNull(CliLine.parse(line, 0, line.length - 2), "a line cut short fails");
        byte[] spoiled = line.clone();
        spoiled[line.length - 2] ^= 1;
        assertNull(CliLine.parse(spoiled, 0, line.length - 1), "a changed byte fails");
        byte[] glued = (new String(line, 0, 12, StandardCharsets.UTF_8) + text).getBytes(StandardCharsets.UTF_8);
        assertNull(CliLine.parse(glued, 0, glued.length - 1), "a half line with the next appended fails");
    }

    @Test
    void aWholeFileAcrossKillsPasses() {
        File file = new File().lines(1, 0, 500).kill().lines(1, 500, 900).kill().lines(1, 900, 1000);
        CliOutputCheck.Result result = file.check(Map.of(1, 1000L), true, false);
        assertFalse(result.failed(), result.details().toString());
        assertEquals(1000, result.lines());
    }

    @Test
    void aHalfLineAndTheLinesLostAfterItAreNamedExactly() {
        File file = new File().lines(1, 0, 100).cut(1, 100, 20).kill().lines(1, 356, 400);
        CliOutputCheck.Result result = file.check(Map.of(1, 400L), true, false);
        assertTrue(result.failed());
        assertEquals(1, result.halfLines());
        assertEquals(256, result.lost());
        String details = String.join("\n", result.details());
        assertTrue(details.contains("half line of P1 100 at byte"), details);
        assertTrue(details.contains("20 bytes (end of incarnation 1, before kill -9 #1"), details);
        assertTrue(details.contains("gap in P1: 100..355 (256 lines) missing"), details);
        assertTrue(details.contains("across kill -9 #1"), details);
        assertTrue(details.contains("lost P1 100..355 (256 lines)"), details);
    }

    @Test
    void linesPrintedAgainAfterARestartAreRedeliveredNotDuplicated() {
        File file = new File().lines(1, 0, 300).kill().lines(1, 250, 600);
        CliOutputCheck.Result result = file.check(Map.of(1, 600L), true, false);
        assertFalse(result.failed(), result.details().toString());
        assertEquals(50, result.redelivered());
        assertEquals(0, result.duplicated());
    }

    @Test
    void aRepeatAnywhereElseIsDuplicated() {
        File file = new File().lines(1, 0, 300).lines(1, 100, 101).lines(1, 300, 400);
        CliOutputCheck.Result result = file.check(Map.of(1, 400L), true, false);
        assertEquals(1, result.duplicated(), result.details().toString());
        assertEquals(0, result.redelivered());
        assertTrue(result.details().getFirst().startsWith("duplicated P1 100 at byte"), result.details().toString());
    }

    @Test
    void aDurableFileMustHoldEveryLinePublishedByEveryPublisher() {
        File file = new File().lines(1, 0, 100).lines(2, 0, 80);
        CliOutputCheck.Result result = file.check(Map.of(1, 100L, 2, 100L, 3, 5L), true, false);
        assertEquals(25, result.lost(), result.details().toString());
        String details = String.join("\n", result.details());
        assertTrue(details.contains("lost P2 80..99 (20 lines): never printed, though published"), details);
        assertTrue(details.contains("lost every line of P3: 0..4 (5 lines), none printed"), details);
    }

    @Test
    void aJoinerOwesAnUnbrokenRunAndMayEndCutWhenKilled() {
        File joiner = new File().lines(1, 5000, 5200).lines(1, 5201, 5300).cut(1, 5300, 7);
        CliOutputCheck.Result killed = joiner.check(Map.of(1, 9000L), false, true);
        assertEquals(1, killed.lost(), killed.details().toString());
        assertEquals(0, killed.halfLines(), "a joiner killed -9 may end in the middle of a line");
        CliOutputCheck.Result stopped = joiner.check(Map.of(1, 9000L), false, false);
        assertEquals(1, stopped.halfLines(), "one stopped by a signal must end with whole lines");
    }

    @Test
    void aBadLineInTheMiddleIsCounted() {
        File file = new File().lines(1, 0, 10);
        file.bytes.writeBytes("garbage in the middle\n".getBytes(StandardCharsets.UTF_8));
        file.lines(1, 10, 20);
        CliOutputCheck.Result result = file.check(Map.of(1, 20L), true, false);
        assertEquals(1, result.bad());
        assertEquals(0, result.lost());
        assertTrue(result.failed());
    }
}
