package io.ringbus.stress.process;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash summary names the code that crashed whatever the JIT had compiled: in one run of the self-test the
 * publisher's frame came fifth, under four JDK frames of a segment read (a fixed count of four frames then
 * missed it and failed ./bus test); in another it came third.
 */
class CrashSummaryTest {
    private static final String APP = "j  io.ringbus.stress.process.StressPublisherMain.crashTheJvm()V+13";

    @Test
    void showsTheJavaFramesDownToTheFirstOutsideTheJdk(@TempDir Path dir) throws IOException {
        List<String> report = new ArrayList<>(List.of(
            "# SIGSEGV (0xb) at pc=0x00007f770bf27d32, pid=26874, tid=26875",
            "# Problematic frame:",
            "# J 1143 c2 jdk.internal.misc.Unsafe.getLongUnaligned(Ljava/lang/Object;JZ)J java.base@25.0.3 (12 bytes)",
            "Java frames: (J=compiled Java code, j=interpreted, Vv=VM code)",
            "J 1143 c2 jdk.internal.misc.Unsafe.getLongUnaligned(Ljava/lang/Object;JZ)J java.base@25.0.3 (12 bytes)",
            "J 1092 c1 java.lang.invoke.VarHandleSegmentAsLongs.get(...)J java.base@25.0.3 (46 bytes)",
            "j  java.lang.invoke.VarHandleSegmentAsLongs.get(...)J+10 java.base@25.0.3",
            "J 1105 c1 jdk.internal.foreign.AbstractMemorySegmentImpl.get(...)J java.base@25.0.3 (12 bytes)",
            APP,
            "j  io.ringbus.stress.process.StressPublisherMain.publish()J+200",
            "j  io.ringbus.stress.process.StressPublisherMain.main([Ljava/lang/String;)V+50"));
        Path file = Files.write(dir.resolve("hs_err_pid1.log"), report);
        String summary = StressRun.crashSummary(file);
        assertTrue(summary.contains("SIGSEGV") && summary.endsWith(APP), "down to the publisher's frame: " + summary);
        assertFalse(summary.contains("publish()J"), "and no further: " + summary);
    }

    @Test
    void aStackOfJdkFramesOnlyIsCutAtTheLimit(@TempDir Path dir) throws IOException {
        List<String> report = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            report.add("J " + i + " c2 java.lang.Thing.call()V java.base@25.0.3 (5 bytes)");
        }
        String summary = StressRun.crashSummary(Files.write(dir.resolve("hs_err_pid2.log"), report));
        assertTrue(summary.split(" \\| ").length == StressRun.CRASH_FRAMES, summary);
    }
}
