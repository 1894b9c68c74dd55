package io.ringbus.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.stress.common.JvmLauncher;
import io.ringbus.transport.codec.CodecFlags;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The typed-message samples run as the README says, each in a JVM of its own given {@link CodecFlags} (as
 * {@code ./bus sample order-*} gives them): what the publisher encodes into claims, the subscriber decodes
 * from the ring. And the launcher's list of flags is {@link CodecFlags}'s: the flags live in one place.
 */
class CodecSamplesTest {
    private Path root;

    @BeforeEach
    void createDirectory() throws IOException {
        root = Files.createTempDirectory(Path.of("/dev/shm"), "rb-rec-samples-");
    }

    @AfterEach
    void deleteDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    @Test
    void theChronicleOrderSamplesRoundTrip() throws Exception {
        roundTrip(ChronicleOrderPublisher.class, ChronicleOrderSubscriber.class, CodecFlags.CHRONICLE);
    }

    @Test
    void theSbeOrderSamplesRoundTrip() throws Exception {
        roundTrip(SbeOrderPublisher.class, SbeOrderSubscriber.class, CodecFlags.AGRONA);
    }

    @Test
    void theLauncherGivesExactlyTheFlagsOfCodecFlags() throws IOException {
        List<String> script = Files.readAllLines(Path.of("..", "bus"));
        int start = script.indexOf("CODEC_FLAGS=(");
        assertTrue(start >= 0, "the launcher has no CODEC_FLAGS array");
        Set<String> launcher = new LinkedHashSet<>();
        for (int i = start + 1; !script.get(i).strip().equals(")"); i++) {
            launcher.add(script.get(i).strip());
        }
        Set<String> expected = new LinkedHashSet<>(CodecFlags.all());
        expected.remove("--enable-native-access=ALL-UNNAMED"); // the launcher gives it to every command
        assertEquals(expected, launcher);
    }

    /** The launcher's jvm_flags_for: the codec flags go to the commands that use Chronicle, and to no other. */
    @Test
    void theLauncherGivesTheCodecFlagsOnlyToTheCommandsThatUseChronicle() throws Exception {
        List<List<String>> withFlags = List.of(List.of("record", "t", "--to", "d"), List.of("replay", "d"),
            List.of("stat", "--recordings", "d"), List.of("stat", "--dir", "b", "--recordings=d"),
            List.of("bench", "record", "--quick"), List.of("sample", "order-publisher-sbe"));
        List<List<String>> without = List.of(List.of("stat"), List.of("stat", "--dir", "b"), List.of("bench"),
            List.of("bench", "--quick"), List.of("bench", "ring", "--quick"), List.of("pub", "t"),
            List.of("sample", "basic-publisher"));
        List<String> chronicle = CodecFlags.CHRONICLE.subList(1, CodecFlags.CHRONICLE.size()); // not native access
        for (List<String> command : withFlags) {
            assertTrue(launcherFlags(command).containsAll(chronicle), command + " gets " + launcherFlags(command));
        }
        for (List<String> command : without) {
            assertEquals(List.of(), launcherFlags(command), command.toString());
        }
    }

    /** What the launcher's jvm_flags_for prints for {@code command}: its definitions alone, run by bash. */
    private static List<String> launcherFlags(List<String> command) throws Exception {
        List<String> script = Files.readAllLines(Path.of("..", "bus"));
        int start = script.indexOf("CODEC_FLAGS=(");
        int function = script.indexOf("jvm_flags_for() {");
        int end = function;
        while (!script.get(end).equals("}")) {
            end++;
        }
        String definitions = String.join("\n", script.subList(start, end + 1));
        List<String> bash = new ArrayList<>(List.of("bash", "-c", definitions + "\njvm_flags_for \"$@\"", "bash"));
        bash.addAll(command);
        Process process = new ProcessBuilder(bash).redirectErrorStream(true).start();
        List<String> lines = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
            .filter(line -> !line.isBlank()).toList();
        assertEquals(0, process.waitFor(), String.join("\n", lines));
        return lines;
    }

    private void roundTrip(Class<?> publisher, Class<?> subscriber, List<String> flags) throws Exception {
        String dir = root.resolve("bus").toString();
        List<String> quiet = new ArrayList<>(flags);
        quiet.add("-Dslf4j.internal.verbosity=ERROR");
        List<String> published = run(publisher, quiet, "--dir", dir, "--count", "3", "--interval-ms", "0");
        assertEquals(3, published.stream().filter(line -> line.startsWith("published order")).count(),
            String.join("\n", published));
        List<String> received = run(subscriber, quiet, "--dir", dir, "--from-earliest", "--count", "3");
        assertEquals(List.of("received order 1: BUY 10 of 1001 at 99.75", "received order 2: SELL 20 of 1002 at 100.0",
            "received order 3: BUY 30 of 1003 at 100.25"),
            received.stream().filter(line -> line.startsWith("received")).toList(), String.join("\n", received));
    }

    private static List<String> run(Class<?> main, List<String> flags, String... args) throws Exception {
        Process process = JvmLauncher.start(main, flags, List.of(args));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), main.getSimpleName() + " did not finish");
        assertEquals(0, process.exitValue(), main.getSimpleName() + " failed: " + out);
        return out.lines().toList();
    }
}
