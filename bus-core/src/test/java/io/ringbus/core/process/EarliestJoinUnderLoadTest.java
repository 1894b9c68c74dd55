package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.WakeupMode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The outside tester's hang: subscribers joining at {@code earliest} (and at the tail) while a
 * publisher process runs flat out, with a busy process beside them on the two vCPUs. Before the
 * join protocol published producers' limits, a joiner at earliest started on records a producer's
 * cached limit still allowed it to overwrite: it was overtaken, stopped delivering, and its cursor
 * held the publisher back for good. Each join here must deliver an unbroken run of intact messages
 * and keep up with the publisher; a join that makes no progress for {@link #STALL} fails as hung.
 */
class EarliestJoinUnderLoadTest {
    private static final int CAPACITY = 64 * 1024;
    private static final int JOINS = 40;
    private static final int MESSAGES_PER_JOIN = 3_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long STALL = 5_000_000_000L;

    private final ProcessFixture fixture = new ProcessFixture();
    private Process busy;

    @AfterEach
    void tearDown() {
        if (busy != null) {
            busy.destroyForcibly();
        }
        fixture.close();
    }

    @Test
    @Timeout(300)
    void joinsAtEarliestBesideAFlatOutPublisherAndABusyProcessDeliverUnbrokenRuns() throws Exception {
        busy = startBusyProcess();
        String dir = fixture.busDir().toString();
        ChildJvm publisher = fixture.start("publisher", PublisherMain.class, "--dir", dir, "--topic", "tv",
            "--capacity", Integer.toString(CAPACITY), "--id", "3", "--count", Integer.toString(Integer.MAX_VALUE));
        publisher.awaitLine("READY", TIMEOUT);
        Random random = new Random(20261206L);
        List<String> runs = new ArrayList<>();
        try (Bus bus = Bus.open(new BusContext().directory(fixture.busDir()))) {
            for (int join = 0; join < JOINS; join++) {
                StartPosition start = random.nextInt(4) == 0 ? StartPosition.LATEST : StartPosition.EARLIEST;
                WakeupMode wakeup = random.nextBoolean() ? WakeupMode.SPIN : WakeupMode.BLOCKING;
                Thread.sleep(random.nextInt(30));
                runs.add(readOneRun(bus, join, start, wakeup));
                assertTrue(publisher.isAlive(), publisher.describe());
            }
        }
        System.out.println("earliest joins under load: " + runs.size() + " runs of " + MESSAGES_PER_JOIN
            + " messages, first seqs " + runs.subList(0, Math.min(8, runs.size())) + "...");
    }

    private static String readOneRun(Bus bus, int join, StartPosition start, WakeupMode wakeup) {
        SubscriberConfig config = new SubscriberConfig().start(start).wakeup(wakeup);
        try (Subscriber subscriber = bus.newSubscriber("tv", new TopicConfig().capacity(CAPACITY), config)) {
            int[] run = {0, -1, -1}; // received, first seq, last seq
            String[] bad = {null};
            long lastProgress = System.nanoTime();
            while (run[0] < MESSAGES_PER_JOIN && bad[0] == null) {
                int got = subscriber.await((typeId, buffer, offset, length) -> {
                    String message = Messages.verify(buffer, offset, length);
                    if (!message.startsWith("M 3 ")) {
                        bad[0] = message;
                        return;
                    }
                    int seq = Integer.parseInt(message.substring(4));
                    if (run[2] >= 0 && seq != run[2] + 1) {
                        bad[0] = "seq " + seq + " after " + run[2];
                    }
                    if (run[1] < 0) {
                        run[1] = seq;
                    }
                    run[2] = seq;
                    run[0]++;
                }, 256, 100_000_000L);
                long now = System.nanoTime();
                if (got > 0) {
                    lastProgress = now;
                } else if (now - lastProgress > STALL) {
                    fail("join " + join + " (" + start + ", " + wakeup + ") hung: no message for " + STALL / 1_000_000
                        + " ms after " + run[0] + " messages (last seq " + run[2] + ")");
                }
            }
            assertNull(bad[0], "join " + join + " (" + start + ", " + wakeup + "): " + bad[0]);
            return start.name().charAt(0) + ":" + run[1];
        }
    }

    /** A process that keeps one vCPU busy, as the tester's {@code yes > /dev/null} did. */
    private static Process startBusyProcess() throws IOException {
        return new ProcessBuilder("yes").redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }
}
