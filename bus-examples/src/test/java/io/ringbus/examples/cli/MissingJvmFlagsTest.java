package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringbus.stress.common.JvmLauncher;
import io.ringbus.transport.codec.CodecFlags;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The commands built on Chronicle Queue ({@code record}, {@code replay}, {@code stat --recordings}) and on Aeron
 * ({@code gateway}) run from the jar itself, without the JVM flags the {@code ./bus} launcher adds: each must
 * end with exit code 1 and one line naming the flags, not the libraries' own stack traces (an
 * {@code AssertionError} deep in Chronicle's start-up, an {@code IllegalAccessError} in Agrona's), and must leave
 * no half-made recording behind.
 */
class MissingJvmFlagsTest {
    private Path busDir;
    private Path recordings;

    @BeforeEach
    void createDirectories() throws Exception {
        busDir = Cli.newBusDirectory();
        recordings = Files.createTempDirectory("ringbus-flags-rec-");
    }

    @AfterEach
    void deleteDirectories() throws Exception {
        Cli.deleteTree(busDir.getParent()); // the ringbus-cli-test-* directory newBusDirectory made
        Cli.deleteTree(recordings);
    }

    @Test
    void recordReplayAndStatRecordingsNameChroniclesFlags() throws Exception {
        String[] needed = {"--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED"};
        String dir = busDir.toString();
        String to = recordings.toString();
        refused(needed, "record", "t", "--create", "--dir", dir, "--to", to, "--count", "1");
        assertFalse(hasQueueFiles(recordings.resolve("t")), "a refused record left queue files");

        // A recording made with the flags, as ./bus makes it: the commands that read it are refused without them.
        assertEquals(0, Cli.run("a\nb\n", "pub", "t", "--dir", dir).exitCode());
        Process record = JvmLauncher.start(BusCommand.class, withFlags(), List.of("record", "t", "--dir", dir, "--to",
            to, "--from", "earliest", "--count", "2"));
        record.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertTrue(record.waitFor(60, TimeUnit.SECONDS) && record.exitValue() == 0, "the recording was not made");
        refused(needed, "replay", to);
        refused(needed, "replay", to, "--topic", "t", "--print");
        refused(needed, "stat", "--recordings", to);
        refused(needed, "record", "t", "--dir", dir, "--to", to, "--count", "1");
    }

    @Test
    void gatewayNamesAeronsFlag() throws Exception {
        refused(CodecFlags.AGRONA.toArray(String[]::new), "gateway", "--dir", busDir.toString(), "--export",
            "t=aeron:udp?endpoint=localhost:40499");
    }

    private static List<String> withFlags() {
        List<String> flags = new ArrayList<>(CodecFlags.all());
        flags.add("-Dslf4j.internal.verbosity=ERROR");
        return flags;
    }

    private static boolean hasQueueFiles(Path directory) {
        try (var files = Files.list(directory)) {
            return files.anyMatch(file -> file.getFileName().toString().endsWith(".cq4"));
        } catch (java.io.IOException notADirectory) {
            return false;
        }
    }

    /** Runs {@code bus ARGS} in a JVM with native access alone: exit 1, one line naming every needed flag. */
    private static void refused(String[] neededFlags, String... args) throws Exception {
        Process process = Cli.startPiped(args);
        process.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        String err = read(process.getErrorStream());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "bus " + String.join(" ", args) + " did not end");
        String command = "bus " + args[0] + ": ";
        List<String> lines = new ArrayList<>(err.lines()
            // The JDK's and the libraries' own start-up warnings are not ringbus's to silence.
            .filter(line -> !line.startsWith("WARNING: ") && !line.startsWith("SLF4J(")).toList());
        assertEquals(1, process.exitValue(), String.join(" ", args) + ":\n" + err + out.join());
        assertFalse(err.contains("Exception in thread") || err.contains("\tat "), "a stack trace:\n" + err);
        assertEquals(1, lines.size(), "not one line:\n" + err);
        assertTrue(lines.getFirst().startsWith(command), lines.getFirst());
        for (String flag : neededFlags) {
            assertTrue(lines.getFirst().contains(flag), "does not name " + flag + ": " + lines.getFirst());
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
