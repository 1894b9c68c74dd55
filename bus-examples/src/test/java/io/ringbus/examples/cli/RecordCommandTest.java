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

    /**
     * A topic created with {@code pub --timestamps}: the recorder says it records publish times and stores them
     * (the times lie between the publishing and the recording), {@code replay --print} labels them published, a
     * topic without timestamps is recorded with receive times and says so, {@code stat} shows which topic has
     * them, {@code stat --recordings} lists both recordings, and requiring timestamps of a topic without them is
     * a one-line error.
     */
    @Test
    void publishTimesAreRecordedWhereTheTopicHasThemAndStatListsTheRecordings() throws Exception {
        String dir = busDir.toString();
        String recordings = busDir.resolveSibling("rec").toString();
        long before = java.time.Instant.now().toEpochMilli();
        assertEquals(0, Cli.run("a\nbb\nccc\n", "pub", "ts", "--timestamps", "--dir", dir).exitCode());
        assertEquals(0, Cli.run("x\nyy\n", "pub", "plain", "--dir", dir).exitCode());
        long after = java.time.Instant.now().toEpochMilli();

        String stamped = runCli("record", "ts", "--dir", dir, "--to", recordings, "--from", "earliest", "--count", "3");
        assertTrue(stamped.contains("recording 'ts' into") && stamped.contains(", with publish times"), stamped);
        assertTrue(stamped.contains("recorded 3 messages of 'ts' (3 with publish times)"), stamped);
        String plain = runCli("record", "plain", "--dir", dir, "--to", recordings, "--from", "earliest", "--count",
            "2");
        assertTrue(plain.contains(", with receive times (the topic has no publish times"), plain);
        assertTrue(plain.contains("recorded 2 messages of 'plain'\n"), plain);

        List<String> printed = runCli("replay", recordings, "--topic", "ts", "--print").lines().toList();
        assertEquals(3, printed.size(), printed.toString());
        for (int i = 0; i < 3; i++) {
            String[] fields = printed.get(i).split(" ");
            assertEquals("published", fields[3], printed.get(i));
            long millis = java.time.Instant.parse(fields[2]).toEpochMilli();
            assertTrue(millis >= before && millis <= after, fields[2] + " is not between the pubs' start and end");
            assertTrue(printed.get(i).endsWith("(" + (i + 1) + " B) " + "abc".substring(i, i + 1).repeat(i + 1)),
                printed.get(i));
        }
        assertTrue(runCli("replay", recordings, "--topic", "plain", "--print").lines()
            .allMatch(line -> line.split(" ")[3].equals("received")));
        // An index before the first entry (as if indexes counted from 0) is an error, not an empty replay.
        String first = printed.getFirst().split(" ")[0].substring(1);
        for (String option : List.of("--from", "--to")) {
            Process early = new ProcessBuilder(JvmLauncher.command(BusCommand.class, flags(), List.of("replay",
                recordings, "--topic", "ts", "--print", option, "2"))).start();
            String err = new String(early.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(early.waitFor(60, TimeUnit.SECONDS), "replay " + option + " 2 did not end");
            assertEquals(1, early.exitValue(), err);
            assertTrue(err.contains("indexes run from " + first), err);
        }

        List<String> table = runCli("stat", "--recordings", recordings).lines().toList();
        assertEquals("recordings in " + recordings + ":", table.get(0));
        assertTrue(table.get(1).matches("TOPIC +ENTRIES +FIRST +LAST +TIMES +FILES"), table.get(1));
        String time = "\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z";
        assertTrue(table.get(2).matches("plain +2 +" + time + " +" + time + " +receive +[0-9]+ (B|KiB|MiB|GiB)"),
            table.get(2));
        assertTrue(table.get(3).matches("ts +3 +" + time + " +" + time + " +publish +[0-9]+ (B|KiB|MiB|GiB)"),
            table.get(3));
        assertEquals(4, table.size(), table.toString());

        Cli.Result topics = Cli.run("", "stat", "--dir", dir);
        assertTrue(topics.out().lines().anyMatch(line -> line.startsWith("topic ts ")
            && line.contains("timestamps on")), topics.out());
        assertTrue(topics.out().lines().anyMatch(line -> line.startsWith("topic plain ")
            && line.contains("timestamps off")), topics.out());
        Cli.Result mismatch = Cli.run("z\n", "pub", "plain", "--timestamps", "--dir", dir);
        assertEquals(1, mismatch.exitCode(), mismatch.err());
        assertTrue(mismatch.err().contains("timestamps is false, required true"), mismatch.err());
        Cli.Result none = Cli.run("", "stat", "--recordings", busDir.resolveSibling("nothing").toString());
        assertEquals(1, none.exitCode(), none.err());
        assertTrue(none.err().contains("is not a directory: give the DIR that bus record --to wrote"), none.err());
    }

    /**
     * {@code record --create --timestamps} makes the topic with publish times and records them; on a topic
     * without them, {@code --timestamps} is a one-line error.
     */
    @Test
    void recordCreatesATimestampedTopic() throws Exception {
        String dir = busDir.toString();
        Process recorder = JvmLauncher.start(BusCommand.class, flags(), List.of("record", "fresh", "--dir", dir,
            "--to", busDir.resolveSibling("rec").toString(), "--create", "--timestamps", "--count", "1"));
        try {
            String first = new String(recorder.getInputStream().readNBytes("recording 'fresh'".length()),
                StandardCharsets.UTF_8);
            assertEquals("recording 'fresh'", first);
            assertEquals(0, Cli.run("one\n", "pub", "fresh", "--dir", dir).exitCode());
            String rest = new String(recorder.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(recorder.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, recorder.exitValue(), rest);
            assertTrue(rest.contains(", with publish times") && rest.contains("(1 with publish times)"), rest);
        } finally {
            recorder.destroy();
        }
        assertEquals(0, Cli.run("x\n", "pub", "plain", "--dir", dir).exitCode());
        Process plain = new ProcessBuilder(JvmLauncher.command(BusCommand.class, flags(), List.of("record", "plain",
            "--dir", dir, "--to", busDir.resolveSibling("rec2").toString(), "--timestamps"))).start();
        String err = new String(plain.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(plain.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, plain.exitValue(), err);
        assertTrue(err.contains("timestamps is false, required true"), err);
    }

    /** Runs the command in a JVM with the codec flags, as the launcher does; its standard output, exit 0 checked. */
    private static String runCli(String... args) throws Exception {
        Process process = JvmLauncher.start(BusCommand.class, flags(), List.of(args));
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "did not end: " + List.of(args));
        assertEquals(0, process.exitValue(), List.of(args) + ": " + out);
        return out;
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
