package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.StartPosition;
import io.ringbus.core.Subscriber;
import io.ringbus.core.SubscriberConfig;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.MessageHandler;
import io.ringbus.stress.common.JvmLauncher;
import io.ringbus.transport.codec.CodecFlags;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16, point 5: two publisher processes publish {@value #DEFAULT_MESSAGES} messages in all while
 * {@code bus record} records the topic and is killed with SIGKILL {@value #KILLS} times, each time started
 * again; then {@code bus replay} publishes the recording into a fresh topic. A live subscriber of each topic
 * (in this JVM) counts the messages and takes the CRC32C of their payloads in order: the replayed topic must
 * carry exactly what the live topic carried, every message once, in the same order.
 *
 * <p>The kills fall at a quarter, a half and three quarters of the run (by what the live subscriber has
 * seen), wherever the recorder is then: inside an append, between an append and its commit, or waiting. It is
 * busy then: the recorder is tethered, so the publishers are never more than a ring ahead of it.
 * {@code -Dringbus.record.messages=10000000} runs the long variant.
 */
class RecordKillReplayTest {
    private static final long DEFAULT_MESSAGES = 1_000_000;
    private static final int KILLS = 3;
    private static final long TIMEOUT_SECONDS = 600;

    private final List<Process> processes = new ArrayList<>();
    private Path root;

    @AfterEach
    void cleanUp() throws Exception {
        for (Process process : processes) {
            process.destroyForcibly().waitFor();
        }
        Cli.deleteTree(root);
    }

    @Test
    @Timeout(TIMEOUT_SECONDS)
    void aRecordingKilledThreeTimesReplaysEveryMessageOnceInOrder() throws Exception {
        long messages = Long.getLong("ringbus.record.messages", DEFAULT_MESSAGES);
        root = Cli.newBusDirectory().getParent();
        Path busDir = root.resolve("bus");
        String recordings = root.resolve("rec").toString();
        long started = System.nanoTime();
        try (Bus bus = Bus.open(new BusContext().directory(busDir))) {
            Checksum live = new Checksum();
            Subscriber liveSubscriber = bus.newSubscriber("src", new TopicConfig(),
                new SubscriberConfig().start(StartPosition.EARLIEST));
            Checksum replayed = new Checksum();
            Subscriber replayedSubscriber = bus.newSubscriber("dst", new TopicConfig(),
                new SubscriberConfig().start(StartPosition.EARLIEST));

            Process recorder = startRecorder(busDir, recordings);
            List<Process> publishers = List.of(
                start(SequencePublisherMain.class, List.of(), busDir.toString(), "src", "1", "" + messages / 2),
                start(SequencePublisherMain.class, List.of(), busDir.toString(), "src", "2",
                    "" + (messages - messages / 2)));
            for (int kill = 1; kill <= KILLS; kill++) {
                drain(liveSubscriber, live, messages * kill / (KILLS + 1));
                recorder.destroyForcibly().waitFor();
                recorder = startRecorder(busDir, recordings);
            }
            drain(liveSubscriber, live, messages);
            for (Process publisher : publishers) {
                assertTrue(publisher.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "a publisher did not finish");
                assertEquals(0, publisher.exitValue(), "a publisher failed");
            }
            long tail = liveSubscriber.position();
            Cli.awaitTopic(busDir, "src", snapshot -> snapshot.subscribers().stream()
                .anyMatch(slot -> "recorder".equals(slot.durableName()) && slot.position() == tail));
            recorder.destroy(); // SIGTERM: it commits its last batch and exits
            assertTrue(recorder.waitFor(60, TimeUnit.SECONDS), "the recorder did not stop on SIGTERM");
            double recordSeconds = (System.nanoTime() - started) / 1e9;

            Process replay = start(BusCommand.class, codecFlags(), "replay", recordings, "--topic", "src", "--into",
                "dst", "--dir", busDir.toString());
            drain(replayedSubscriber, replayed, messages);
            assertTrue(replay.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "replay did not finish");
            assertEquals(0, replay.exitValue(), "replay failed");
            assertEquals(0, replayedSubscriber.poll(replayed, 1000), "replay published more than was recorded");

            assertEquals(messages, live.count);
            assertEquals(live.count, replayed.count, "messages replayed");
            assertEquals(Long.toHexString(live.crc.getValue()), Long.toHexString(replayed.crc.getValue()),
                "CRC32C of every payload in order, live versus replayed");
            System.out.printf("record/kill/replay: %d messages, %d kills, recorded in %.1f s, in all %.1f s%n",
                messages, KILLS, recordSeconds, (System.nanoTime() - started) / 1e9);
        }
    }

    private Process startRecorder(Path busDir, String recordings) throws Exception {
        Process recorder = start(BusCommand.class, codecFlags(), "record", "src", "--dir", busDir.toString(),
            "--to", recordings, "--from", "earliest", "--create");
        BufferedReader out = new BufferedReader(new InputStreamReader(recorder.getInputStream(),
            StandardCharsets.UTF_8));
        String line = out.readLine(); // "recording 'src' into ...": subscribed
        assertTrue(line != null && line.startsWith("recording 'src'"), "the recorder said: " + line);
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (out.readLine() != null) {
                    // keep its pipe drained
                }
            } catch (IOException ignored) {
                // it was killed
            }
        });
        return recorder;
    }

    private Process start(Class<?> main, List<String> flags, String... args) throws IOException {
        Process process = JvmLauncher.start(main, flags, List.of(args));
        process.getOutputStream().close();
        processes.add(process);
        return process;
    }

    private static List<String> codecFlags() {
        List<String> flags = new ArrayList<>(CodecFlags.all());
        flags.addAll(List.of("-Dchronicle.analytics.disable=true", "-Dslf4j.internal.verbosity=ERROR"));
        return flags;
    }

    /** Polls until {@code checksum} has seen {@code count} messages (publishers wait for this subscriber). */
    private static void drain(Subscriber subscriber, Checksum checksum, long count) {
        while (checksum.count < count) {
            subscriber.await(checksum, 256, 100_000_000L);
        }
    }

    /** Counts messages and takes the CRC32C of their payloads, in order. */
    private static final class Checksum implements MessageHandler {
        final CRC32C crc = new CRC32C();
        long count;

        @Override
        public void onMessage(int typeId, MemorySegment buffer, long offset, int length) {
            crc.update(buffer.asSlice(offset, length).asByteBuffer());
            count++;
        }
    }
}
