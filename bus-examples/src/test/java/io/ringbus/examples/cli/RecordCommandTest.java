package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.TopicConfig;
import io.ringbus.stress.common.JvmLauncher;
import io.ringbus.transport.codec.CodecFlags;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code bus record} and {@code bus replay} from the command line: the errors a user can cause, each one line
 * that says what to do, and an evictable recorder that stalls records a gap entry that replay reports.
 */
class RecordCommandTest {
    private Path busDir;

    @BeforeEach
    void createBus() throws IOException {
        busDir = Cli.newBusDirectory();
    }

    @AfterEach
    void deleteBus() throws IOException {
        Cli.deleteTree(busDir.getParent());
    }

    @Test
    void aMissingTopicIsAnErrorThatSaysWhatToDo() {
        Cli.Result result = Cli.run("", "record", "nosuch", "--dir", busDir.toString(), "--to",
            busDir.resolveSibling("rec").toString());
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains("topic 'nosuch' does not exist") && result.err().contains("--create"),
            result.err());
        assertTrue(Files.notExists(busDir.resolveSibling("rec")), "nothing was created");
    }

    @Test
    void aDirectoryThatIsAFileIsAnError() throws IOException {
        Path file = Files.writeString(busDir.resolveSibling("file"), "x");
        createTopic("t");
        Cli.Result result = Cli.run("", "record", "t", "--dir", busDir.toString(), "--to", file.toString());
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains(file + " is not a directory"), result.err());
    }

    @Test
    void replayOfAMissingRecordingNamesTheRecordingsThere() throws IOException {
        Path empty = Files.createDirectory(busDir.resolveSibling("rec"));
        Cli.Result result = Cli.run("", "replay", empty.toString(), "--topic", "t", "--print");
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains("no recording of topic 't'"), result.err());
        Cli.Result usage = Cli.run("", "replay", empty.toString(), "--topic", "t", "--speed", "fast");
        assertEquals(2, usage.exitCode(), usage.err());
    }

    @Test
    void aStalledEvictableRecorderRecordsTheGapAndReplaySaysSo() throws Exception {
        createTopic("g");
        String recordings = busDir.resolveSibling("rec").toString();
        Process recorder = JvmLauncher.start(BusCommand.class, flags(), List.of("record", "g", "--dir",
            busDir.toString(), "--to", recordings, "--evictable", "--evict-after", "100"));
        try {
            String first = new String(recorder.getInputStream().readNBytes("recording 'g'".length()),
                StandardCharsets.UTF_8);
            assertEquals("recording 'g'", first);
            signal("STOP", recorder.pid());
            try (Bus bus = Bus.open(new BusContext().directory(busDir));
                 Publisher publisher = bus.newPublisher("g", new TopicConfig())) {
                byte[] message = new byte[1000];
                for (int i = 0; i < 3000; i++) { // 3 MB through a 1 MiB ring: the stalled recorder is evicted
                    while (publisher.offer(message) < 0) {
                        Thread.onSpinWait();
                    }
                }
                signal("CONT", recorder.pid());
                Thread.sleep(1000);
                assertTrue(publisher.offer("after".getBytes(StandardCharsets.UTF_8)) >= 0);
            }
            Thread.sleep(1000);
        } finally {
            recorder.destroy();
            recorder.waitFor(30, TimeUnit.SECONDS);
        }
        Process replay = JvmLauncher.start(BusCommand.class, flags(), List.of("replay", recordings, "--topic", "g",
            "--print"));
        String printed = new String(replay.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(replay.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, replay.exitValue(), printed);
        assertTrue(printed.contains("-- gap at ") && printed.contains("the recorder was evicted and missed"), printed);
        assertTrue(printed.strip().endsWith("(5 B) after"), printed);
    }

    private void createTopic(String topic) {
        try (Bus bus = Bus.open(new BusContext().directory(busDir))) {
            bus.newPublisher(topic, new TopicConfig()).close();
        }
    }

    private static List<String> flags() {
        List<String> flags = new ArrayList<>(CodecFlags.all());
        flags.add("-Dslf4j.internal.verbosity=ERROR");
        return flags;
    }

    private static void signal(String name, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor());
    }
}
