package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.RandomAccessFile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer truncates a topic's file under a process that is still young: its code interpreted, as the
 * stress test's victim publishers are when they are truncated within a second of starting. HotSpot's
 * interpreted compare-and-set has no guard against the SIGBUS of a lost page, so a truncation landing
 * in one kills the JVM; the atomics warm-up that opening a topic runs keeps those accessors compiled.
 *
 * <p>The victim ({@link CasLoopMain}) does nothing but compare-and-set on the file's last word, with
 * {@code -XX:CompileThresholdScaling=100}, so without the warm-up the JIT would leave the accessors
 * to the interpreter for the first tens of milliseconds, when the truncation comes. Measured on this
 * machine with the warm-up switched off: 13 of 24 episodes killed the JVM (0 of 72 with it). Every
 * episode must end with the lost page reported and no JVM crash.
 */
class TruncationUnderAYoungJvmTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int EPISODES = 24;

    private final ProcessFixture fixture = new ProcessFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    @Timeout(300)
    void everyEpisodeEndsWithTheLostPageReportedAndNoJvmDies() throws Exception {
        Random random = new Random(20261121L);
        List<String> failures = new ArrayList<>();
        for (int episode = 0; episode < EPISODES; episode++) {
            String topic = "young" + episode;
            ChildJvm victim = fixture.start("victim-" + episode, CasLoopMain.class,
                List.of("-XX:CompileThresholdScaling=100"), "--dir", fixture.busDir().toString(), "--topic", topic);
            victim.awaitLine("READY", TIMEOUT);
            // A random moment early in the loop: the truncation's phase against the loop is what varies.
            LockSupport.parkNanos(Duration.ofMillis(1 + random.nextInt(20)).toNanos());
            try (RandomAccessFile file = new RandomAccessFile(fixture.topicPath(topic).toFile(), "rw")) {
                file.setLength(0);
            }
            int exit = victim.awaitExit(TIMEOUT);
            String error = victim.lines().stream().filter(line -> line.startsWith("ERROR")).findFirst()
                .orElse("(no error line)");
            boolean crashed = victim.errors().contains("A fatal error has been detected");
            String outcome = "episode " + episode + ": exit " + exit + ", " + error + (crashed ? ", JVM CRASHED" : "");
            System.out.println(outcome);
            boolean reported = exit == ChildSupport.TYPED_ERROR_EXIT
                && error.startsWith("ERROR java.lang.InternalError");
            if (crashed || !reported) {
                failures.add(outcome);
            }
        }
        assertEquals(List.of(), failures, fixture.describeChildren());
        assertEquals(List.of(), fixture.crashReports(), "no JVM crashed");
    }
}
