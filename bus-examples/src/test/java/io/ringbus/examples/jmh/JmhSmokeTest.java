package io.ringbus.examples.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The benchmarks are wired up (generated stubs, {@code META-INF/BenchmarkList}), their set-up checks
 * pass and each produces a figure: one parameter set each, in this JVM (no fork), with tiny
 * iterations. Says nothing about performance; {@code bus bench jmh} measures. JMH's log of each run is
 * {@code target/jmh-smoke-BENCHMARK.txt}.
 */
class JmhSmokeTest {
    @ParameterizedTest
    @CsvSource({
        "ClaimCommitBenchmark.tryClaimCommit, mode=SINGLE, payload=32",
        "PollBenchmark.poll, batch=16, ",
        "CursorMinimumBenchmark.backPressuredClaim, mode=MANY, cursors=8"})
    void runsAndReportsAScore(String benchmark, String param1, String param2) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
            .include("^" + getClass().getPackageName().replace(".", "\\.") + "\\." + benchmark.replace(".", "\\.")
                + "$")
            .forks(0)
            .warmupIterations(1)
            .warmupTime(TimeValue.milliseconds(200))
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(200))
            .shouldFailOnError(true)
            // JMH's log goes to a file: a test run's console stays readable.
            .output(Path.of("target", "jmh-smoke-" + benchmark + ".txt").toString());
        for (String param : new String[] {param1, param2}) {
            if (param != null) {
                String[] nameValue = param.split("=");
                options.param(nameValue[0], nameValue[1]);
            }
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        assertEquals(1, results.size(), "JMH runs of " + benchmark);
        double score = results.iterator().next().getPrimaryResult().getScore();
        assertTrue(score > 0 && Double.isFinite(score), benchmark + " scored " + score);
    }

    /**
     * The codec views' benchmark, in a fork (its {@code @Fork} gives the Chronicle and Agrona flags this JVM
     * lacks): hand-packed, Chronicle and SBE each produce a figure.
     */
    @Test
    void codecViewsBesideHandPackedBytes() throws RunnerException {
        String benchmark = "CodecViewBenchmark";
        Collection<RunResult> results = new Runner(new OptionsBuilder()
            .include("^" + getClass().getPackageName().replace(".", "\\.") + "\\." + benchmark + "\\.")
            .forks(1)
            .warmupIterations(1)
            .warmupTime(TimeValue.milliseconds(200))
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(200))
            .shouldFailOnError(true)
            .output(Path.of("target", "jmh-smoke-" + benchmark + ".txt").toString())
            .build()).run();
        Set<String> names = new TreeSet<>();
        for (RunResult result : results) {
            double score = result.getPrimaryResult().getScore();
            String name = result.getParams().getBenchmark();
            assertTrue(score > 0 && Double.isFinite(score), name + " scored " + score);
            names.add(name.substring(name.lastIndexOf('.') + 1));
        }
        assertEquals(Set.of("chronicle", "handPacked", "sbe"), names);
    }
}
