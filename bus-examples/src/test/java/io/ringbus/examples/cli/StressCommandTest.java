package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.ring.ProducerMode;
import io.ringbus.stress.process.FaultKind;
import io.ringbus.stress.process.StressFigures;
import io.ringbus.stress.process.StressOptions;
import io.ringbus.stress.process.StressRun;
import io.ringbus.stress.process.Via;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bus stress}: every fault kind, briefly, leaves every failure figure at zero; and the
 * harness's own checks see a loss, a torn message, a leftover file, a JVM crash, a hang and a stack
 * trace when the run is broken on purpose (so that a harness that saw nothing could not pass for a bus
 * that lost nothing).
 */
class StressCommandTest {
    /** The scenarios issue 11 added: joins and leaves, a busy machine, the CLI in the loop. */
    private static final List<FaultKind> ISSUE_11 = List.of(FaultKind.SUB_JOIN, FaultKind.CPU_BUSY, FaultKind.CLI_SUB,
        FaultKind.CLI_TRUNCATE);
    /** The faults before them, each tested in its own run below (as the first pass takes a while). */
    private static final List<FaultKind> EARLIER = Arrays.stream(FaultKind.values())
        .filter(kind -> !ISSUE_11.contains(kind)).toList();
    /**
     * Every earlier kind at 20 a minute (the first pass through all of them ends well within the run),
     * and subscriber kills more often, so that the durable one is among them.
     */
    private static final String EVERY_FAULT_OFTEN = String.join(",",
        EARLIER.stream().map(kind -> kind.label() + "=20").toList()) + ",sub-kill=60";

    @Test
    @Timeout(300)
    void everyFaultKindLeavesEveryFailureFigureAtZero() {
        StressFigures figures = new StressRun(new StressOptions()
            .duration(Duration.ofSeconds(60))
            .faults(EVERY_FAULT_OFTEN)
            .seed(20261121))
            .run(progress -> { });
        System.out.println(figures.toText());
        assertEquals(List.of(), figures.failures(), figures.toText());
        assertEquals(0, figures.lost());
        assertEquals(0, figures.duplicated());
        assertEquals(0, figures.outOfOrder());
        assertEquals(0, figures.torn());
        assertEquals(0, figures.jvmCrashes());
        assertEquals(List.of(), figures.leftoverFiles());
        assertTrue(figures.unblock().max() <= StressFigures.UNBLOCK_LIMIT_MILLIS, figures.toText());
        assertTrue(figures.committed() > 0);
        figures.received().forEach((subscriber, count) -> assertTrue(count > 0, subscriber + " received nothing"));
        for (FaultKind kind : EARLIER) {
            boolean ran = figures.faults().getOrDefault(kind.label(), 0L) > 0;
            String skipped = figures.skipped().get(kind.label());
            assertTrue(ran || skipped != null, kind.label() + " never ran:\n" + figures.toText());
            if (skipped != null) {
                System.out.println(kind.label() + " skipped: " + skipped);
            }
        }
        assertTrue(figures.unblock().count() >= 5, "every publisher death is timed");
        if (figures.faults().get("sub-kill") >= 2) {
            assertTrue(figures.durableKills() >= 1, "sub-kill takes turns: the durable subscriber was killed too");
        }
        assertEquals(figures.hostile().get("episodes"), figures.faults().get("truncate")
            + figures.faults().get("scribble"));
    }

    /**
     * Issue 11's scenarios, briefly and often: joins at earliest, at latest and by a durable name
     * beside publishers running flat out, a busy process, the CLI's pub and sub (a durable sub killed
     * -9 and restarted, joiners; output files checked) and a truncation under the CLI. Every failure
     * figure stays at zero: nothing lost, duplicated or cut, nothing hung, no stack trace. (Before
     * main's fix of the earliest join, this found the hang; before the CLI's fixes, the lost and half
     * lines of bus sub --name and the InternalError stack trace of bus pub.)
     */
    @Test
    @Timeout(240)
    void joinsABusyMachineAndTheCliInTheLoopLeaveEveryFailureFigureAtZero() {
        StressFigures figures = new StressRun(new StressOptions()
            .duration(Duration.ofSeconds(30)) // a CLI episode starts up to 8 JVMs: the first pass takes a while
            .faults("sub-join=90,cpu-busy=10,cli-sub=12,cli-truncate=12")
            .cli(BusCommand.class.getName())
            .seed(20261206))
            .run(progress -> { });
        System.out.println(figures.toText());
        assertEquals(List.of(), figures.failures(), figures.toText());
        assertEquals(0, figures.hung());
        assertEquals(0, figures.stackTraces());
        for (FaultKind kind : ISSUE_11) {
            assertTrue(figures.faults().getOrDefault(kind.label(), 0L) > 0, kind.label() + " never ran:\n"
                + figures.toText());
        }
        assertTrue(figures.joins().getOrDefault("earliest", 0L) > 0, "a joiner joined at earliest:\n"
            + figures.toText());
        assertTrue(figures.cli().getOrDefault("lines_checked", 0L) > 0, figures.toText());
        assertTrue(figures.cli().getOrDefault("truncate_episodes", 0L) > 0, figures.toText());
        figures.received().forEach((subscriber, count) -> assertTrue(count > 0, subscriber + " received nothing"));
    }

    /**
     * Evictable subscribers stopped for longer than their eviction limit, beside publishers killed at any moment
     * and a busy process: each is evicted, loses messages, and may lose them only where its loss listener said so
     * first; the copies it reads while publishers overwrite the ring are checked by CRC. A second, short run with
     * the listeners deaf (self-test {@code unreported}) must count the same kind of miss as lost.
     */
    @Test
    @Timeout(180)
    void evictableSubscribersLoseOnlyWhatTheyAreToldOf() {
        StressOptions options = new StressOptions().subscribers(3).durable(1).evictable(2)
            .faults("sub-stop=60,pub-kill=10,crash-mid-payload=10,cpu-busy=6");
        StressFigures figures = new StressRun(options.duration(Duration.ofSeconds(15)).seed(20261207))
            .run(progress -> { });
        System.out.println(figures.toText());
        assertEquals(List.of(), figures.failures(), figures.toText());
        assertTrue(figures.evictable().get("loss_reports") > 0, "no evictable subscriber was evicted:\n"
            + figures.toText());
        assertTrue(figures.evictable().get("announced_lost") > 0, figures.toText());
        figures.received().forEach((subscriber, count) -> assertTrue(count > 0, subscriber + " received nothing"));

        StressFigures deaf = new StressRun(new StressOptions().subscribers(3).durable(1).evictable(2)
            .faults("sub-stop=60").duration(Duration.ofSeconds(8)).seed(20261207).selfTest("unreported"))
            .run(progress -> { });
        assertTrue(deaf.lost() > 0, "evicted without a report, yet nothing counted as lost:\n" + deaf.toText());
        assertEquals(0L, deaf.evictable().get("loss_reports"), deaf.toText());
    }

    /**
     * A single-producer topic, whose one publisher is killed at any moment and at every crash point: each
     * replacement takes over the dead one's slot (its last claim padded from the first unmarked record to the tail)
     * and every subscriber goes on. Nothing lost, nothing hung.
     */
    @Test
    @Timeout(180)
    void aSingleProducerTopicOutlivesItsPublishersDeaths() {
        StressFigures figures = new StressRun(new StressOptions().publishers(1).producerMode(ProducerMode.SINGLE)
            .faults("pub-kill=20,crash-after-claim=20,crash-mid-payload=20,crash-before-commit=20,"
                + "crash-wrap-padding=20,sub-kill=10")
            .duration(Duration.ofSeconds(15)).seed(20261207))
            .run(progress -> { });
        System.out.println(figures.toText());
        assertEquals(List.of(), figures.failures(), figures.toText());
        assertTrue(figures.setup().contains("1 publisher processes"), figures.setup());
        assertTrue(figures.unblock().count() >= 3, "the publisher died and was replaced:\n" + figures.toText());
        figures.received().forEach((subscriber, count) -> assertTrue(count > 0, subscriber + " received nothing"));
    }

    @Test
    @Timeout(120)
    void brokenOnPurposeTheRunFailsWithTheFiguresThatSayWhy() {
        Cli.Result result = Cli.run("", "stress", "--duration", "8s", "--faults", "none", "--json",
            "--self-test", "lose,tear,leftover,crash,hang,trace", "--hang-limit", "2s");
        assertEquals(1, result.exitCode(), result.out() + result.err());
        String json = result.out().strip();
        assertTrue(json.startsWith("{") && json.endsWith("}") && json.lines().count() == 1, json);
        assertTrue(json.contains("\"passed\":false"), json);
        assertFalse(json.contains("\"lost\":0,"), "lost above zero: " + json);
        assertFalse(json.contains("\"torn\":0,"), "torn above zero: " + json);
        assertTrue(json.contains("\"leftover_files\":1,"), json);
        assertTrue(json.contains("\"leftover\":[\".creating-selftest.1.0\"]"), json);
        assertTrue(json.contains("\"duplicated\":0,") && json.contains("\"out_of_order\":0,"), json);
        assertTrue(json.contains("\"jvm_crashes\":1,"), json);
        assertTrue(json.contains("JVM crash: hs_err_pid"), json);
        // The crash's Java frames, interpreted (j) or compiled (J), name the method that crashed.
        assertTrue(json.matches(".*JVM crash: hs_err_pid[^\"]*\\| [jJ] +[^\"]*StressPublisherMain\\.crashTheJvm.*"),
            json);
        // The last subscriber stops reading after 50,000 messages but stays joined: hung, with the topic's state.
        assertFalse(json.contains("\"hung\":0,"), "hung above zero: " + json);
        assertTrue(json.contains("hung: sub-1 (pid "), json);
        assertTrue(json.contains("bytes behind the tail"), json);
        assertTrue(json.contains("topic stress (capacity 65,536): tail "), json);
        // The first publisher prints a stack trace on standard error.
        assertTrue(json.contains("\"stack_traces\":1,"), json);
        assertTrue(json.contains("stack trace on the standard error of pub-0#1"), json);
        assertTrue(json.contains("IllegalStateException: self-test: a stack trace on standard error"), json);
    }

    /**
     * Over a Unix socket and over pipes (a FIFO pair per child, served by the harness's bridge): the
     * process faults, briefly, leave every failure figure at zero; crash points are skipped with the
     * reason; the bridge served every child.
     */
    @ParameterizedTest(name = "--via {0}")
    @ValueSource(strings = {"unix", "pipe"})
    @Timeout(180)
    void processFaultsOverAStreamPathLeaveEveryFailureFigureAtZero(String via) {
        StressFigures figures = new StressRun(new StressOptions()
            .duration(Duration.ofSeconds(15))
            .via(Via.parse(via))
            .faults("pub-kill=20,sub-kill=40,pub-stop=20,sub-stop=20,crash-mid-payload=20")
            .seed(20261121))
            .run(progress -> { });
        System.out.println(figures.toText());
        assertEquals(List.of(), figures.failures(), figures.toText());
        assertEquals(0, figures.lost());
        assertEquals(0, figures.duplicated());
        assertEquals(0, figures.outOfOrder());
        assertEquals(0, figures.torn());
        assertEquals(0, figures.jvmCrashes());
        assertTrue(figures.committed() > 0);
        figures.received().forEach((subscriber, count) -> assertTrue(count > 0, subscriber + " received nothing"));
        for (String kind : List.of("pub-kill", "sub-kill")) {
            assertTrue(figures.faults().getOrDefault(kind, 0L) > 0, kind + " never ran:\n" + figures.toText());
        }
        assertNull(figures.faults().get("crash-mid-payload"), figures.toText());
        assertTrue(figures.skipped().get("crash-mid-payload").contains("bridge"), figures.toText());
        assertTrue(figures.bridge().get("sessions") >= 4, figures.toText());
        assertEquals(0L, figures.bridge().get("session_untyped_errors"), figures.toText());
        assertTrue(figures.toJson().contains("\"in_flight_at_kill\":"), figures.toJson());
    }

    @Test
    void badArgumentsAreRefused() {
        Cli.Result unknown = Cli.run("", "stress", "--via", "carrier-pigeon");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("must be one of shm, pipe, fifo, unix, tcp, mq"), unknown.err());
        Cli.Result badFault = Cli.run("", "stress", "--faults", "all,meteor");
        assertEquals(2, badFault.exitCode());
        assertTrue(badFault.err().contains("unknown fault 'meteor'"), badFault.err());
        Cli.Result singleWithTwo = Cli.run("", "stress", "--producer-mode", "single");
        assertEquals(2, singleWithTwo.exitCode());
        assertTrue(singleWithTwo.err().contains("--producer-mode single needs --publishers 1"), singleWithTwo.err());
        Cli.Result tooManyEvictable = Cli.run("", "stress", "--subscribers", "2", "--evictable", "2");
        assertEquals(2, tooManyEvictable.exitCode());
        assertTrue(tooManyEvictable.err().contains("--evictable must be between 0 and --subscribers minus --durable"),
            tooManyEvictable.err());
    }

    @Test
    void helpSaysWhatRunsWhereAndGivesExamples() {
        Cli.Result help = Cli.run("", "stress", "--help");
        assertEquals(0, help.exitCode());
        String text = help.out().replaceAll("\\s+", " ");
        for (String expected : List.of("VICTIM topic", "durable window", "./bus stress --duration 2m --json",
            "in_flight_at_kill", "durable_in_flight_gap", "--via unix",
            "crash-wrap-padding", "full-fs", "Exits 1 when lost", "sub-join", "cpu-busy", "cli-sub", "cli-truncate",
            "--hang-limit", "Hangs:", "Stack traces:", "redelivered", "--seed")) {
            assertTrue(text.contains(expected), "help mentions '" + expected + "':\n" + help.out());
        }
    }
}
