package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A subscriber process that parks (BLOCKING: futex; SIGNAL: thread park and SIGUSR2) is woken by a
 * publisher process many times in a row, in a ping-pong over two topics with one message in
 * flight. Before each ping the pinger waits until the ponger has announced itself parked (and on
 * every other round a random 0-100 us more, so that it is asleep in the kernel), so each round is
 * a real park and wake, or the race between the announcement and the sleep.
 *
 * <p>No wakeup may be lost. A lost wakeup would not hang: the subscriber sleeps in 100 ms slices,
 * so it shows up as a slow round trip (a round trip over 2 s fails the pinger) and, exactly, as a
 * slice that ran out its timeout with a message ready behind it: with the wake word not posted
 * ({@code timeoutWakeups}: the publisher never tried) or posted ({@code lateWakeups}: its wake did
 * not end the sleep). Each side notes the rounds where that happened. Two excuses are accepted,
 * both for a wakeup that was late rather than lost, because a slice can legitimately end between
 * a publisher's commit and its post or wake: that the peer's offer in that same round took 10 ms
 * or more (a process descheduled between its commit and its wake on this shared 2-core VM), and
 * that the round is one of the first {@value #WARMUP_ROUNDS} (warm-up: the first rounds run cold,
 * interpreted code between the commit and the wake, and a signal goes through the receiving JVM's
 * signal dispatcher and a new handler thread, slow on first use; the first round trip takes 10 to
 * 100 ms where later ones take a few hundred microseconds, see {@code firstMicros}). Warm-up rounds
 * must still complete within 2 s.
 *
 * <p>One more allowance, for SIGNAL only and only for posted wakeups: a signal reaches the parked
 * thread through the receiving JVM's Signal Dispatcher thread and a handler thread it creates for
 * each signal, two scheduling hops that on this loaded VM occasionally take longer than the 100 ms
 * slice (seen once in about 2000 rounds). Such a wakeup is late, not lost, but the subscriber
 * cannot tell a slow handler from a lost signal, so late SIGNAL wakeups are bounded at 1% of the
 * rounds instead of forbidden: a signal path that loses wakeups systematically still fails. Never
 * posted wakeups are forbidden in both modes, late futex wakeups too (the kernel ends a futex wait
 * at the wake, however late the waiter then runs).
 *
 * <p>Counts: {@code -Dringbus.test.wakeupCycles} (BLOCKING, default 20000) and
 * {@code -Dringbus.test.signalWakeupCycles} (SIGNAL, default 2000). Each round trip here costs
 * about 300 us (the pinger waits out the ponger's spin phase before each ping), so the million
 * park/wake cycles of the issue take about 5.5 minutes on this 2-core VM (200,000 took 66 s with
 * no slice wakeup); run them with
 * {@code ./mvnw -q -pl bus-core test -Dtest=WakeupAcrossProcessesTest -Dringbus.test.wakeupCycles=1000000
 * -Dringbus.test.wakeupTimeoutSeconds=3600}.
 */
class WakeupAcrossProcessesTest {
    private static final int BLOCKING_CYCLES = Integer.getInteger("ringbus.test.wakeupCycles", 20_000);
    private static final int SIGNAL_CYCLES = Integer.getInteger("ringbus.test.signalWakeupCycles", 2_000);
    private static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("ringbus.test.wakeupTimeoutSeconds", 100));
    private static final Duration START = Duration.ofSeconds(60);
    static final int WARMUP_ROUNDS = 100;

    private final ProcessFixture fixture = new ProcessFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    @Timeout(value = 2, unit = java.util.concurrent.TimeUnit.HOURS)
    void blockingSubscriberIsWokenEveryTime() {
        pingPong("BLOCKING", BLOCKING_CYCLES);
    }

    @Test
    @Timeout(value = 2, unit = java.util.concurrent.TimeUnit.HOURS)
    void signalSubscriberIsWokenEveryTime() {
        pingPong("SIGNAL", SIGNAL_CYCLES);
    }

    private void pingPong(String mode, int cycles) {
        String dir = fixture.busDir().toString();
        ChildJvm pong = fixture.start("pong-" + mode, PingPongMain.class, "--dir", dir, "--role", "pong",
            "--wakeup", mode);
        pong.awaitLine("READY", START);
        ChildJvm ping = fixture.start("ping", PingPongMain.class, "--dir", dir, "--role", "ping",
            "--count", Integer.toString(cycles));
        ping.awaitLine("READY", START);
        long start = System.nanoTime();
        String done = ping.awaitLine(line -> line.startsWith("DONE") || line.startsWith("STALL")
            || line.startsWith("BADECHO"), "DONE", TIMEOUT);
        long elapsed = System.nanoTime() - start;
        assertTrue(done.startsWith("DONE roundTrips=" + cycles + " "), done + "\n" + fixture.describeChildren());
        String pongStats = pong.awaitLine("STATS", START);
        String pingStats = ping.awaitLine("STATS", START);
        String pongRounds = pong.awaitLine("ROUNDS", START);
        String pingRounds = ping.awaitLine("ROUNDS", START);
        System.out.printf("wakeups (%s): %d round trips in %.1f s; ping %s; pong subscriber %s %s;"
            + " ping subscriber %s %s%n", mode, cycles, elapsed / 1e9, done, pongStats, pongRounds, pingStats,
            pingRounds);

        boolean signal = mode.equals("SIGNAL");
        assertNoUnexcusedSliceWakeups("the " + mode + " subscriber (pong)", pongStats, pongRounds, pingRounds,
            signal ? cycles / 100 : 0);
        assertNoUnexcusedSliceWakeups("the pinger's BLOCKING subscriber", pingStats, pingRounds, pongRounds, 0);
        assertTrue(statistic(pongStats, "slicesSlept") >= cycles / 4,
            "the " + mode + " subscriber really slept (at least a quarter of the rounds): " + pongStats);
        assertEquals(0, statistic(done, "notParked"), "the ponger announced itself parked before every ping");
        assertEquals(List.of(), pong.lines("ERROR"));
    }

    /**
     * Every round after the warm-up in which a subscriber was woken by its safety slice (no post, or
     * a post that came too late) must be a round in which the peer's offer was slow or the peer itself
     * was woken by its slice, except for at most {@code lateAllowed} late (posted) ones.
     */
    private static void assertNoUnexcusedSliceWakeups(String who, String stats, String rounds, String peerRounds,
        int lateAllowed) {
        long sliceWakeups = statistic(stats, "timeoutWakeups") + statistic(stats, "lateWakeups");
        assertTrue(sliceWakeups <= 200, who + ": " + sliceWakeups + " wakeups came from the safety slice: " + stats);
        List<Integer> excused = new java.util.ArrayList<>(rounds(peerRounds, "slowOffers"));
        // A round in which the peer itself slept its whole 100 ms slice (late or timed out) answers
        // about 100 ms late, so this side's own slice ends at about the moment the reply is committed:
        // the slice may see the message before the peer posts. That race follows from the peer's
        // lateness, which its own check already judges; a lost wakeup shows in rounds the peer was on time.
        excused.addAll(rounds(peerRounds, "late"));
        excused.addAll(rounds(peerRounds, "timeout"));
        String context = " (" + stats + "; " + rounds + "; peer " + peerRounds + ")";
        List<Integer> neverPosted = new java.util.ArrayList<>(rounds(rounds, "timeout"));
        neverPosted.removeIf(round -> round < WARMUP_ROUNDS || excused.contains(round));
        assertEquals(List.of(), neverPosted, who + ": rounds in which the publisher never posted the wakeup and the"
            + " 100 ms safety slice delivered the message" + context);
        List<Integer> late = new java.util.ArrayList<>(rounds(rounds, "late"));
        late.removeIf(round -> round < WARMUP_ROUNDS || excused.contains(round));
        assertTrue(late.size() <= lateAllowed, who + ": rounds in which a posted wakeup did not end the sleep and"
            + " the 100 ms safety slice delivered the message: " + late + ", at most " + lateAllowed + " allowed"
            + context);
    }

    /** The list {@code name=[a,b,c]} in a line. */
    private static List<Integer> rounds(String line, String name) {
        for (String part : line.split(" ")) {
            if (part.startsWith(name + "=[")) {
                String inside = part.substring(name.length() + 2, part.length() - 1);
                return inside.isEmpty() ? List.of()
                    : java.util.Arrays.stream(inside.split(",")).map(Integer::valueOf).toList();
            }
        }
        throw new AssertionError("no " + name + " in " + line);
    }

    /** The value of {@code name=value} in a line. */
    private static long statistic(String line, String name) {
        for (String part : line.split(" ")) {
            if (part.startsWith(name + "=")) {
                return Long.parseLong(part.substring(name.length() + 1));
            }
        }
        throw new AssertionError("no " + name + " in " + line);
    }
}
