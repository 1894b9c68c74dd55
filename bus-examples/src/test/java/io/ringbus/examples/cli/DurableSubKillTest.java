package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11.2, end to end through the command line: {@code seq 1 1000000000 | bus pub t} runs flat out
 * while {@code bus sub t --name audit > out.N} is killed with SIGKILL at random moments and started
 * again under the same name, a busy process ({@code yes > /dev/null}) beside them. The output files,
 * read in order, must hold every line once, whole, in order, but for what {@code sub --help} allows:
 * at each restart a repeat of the last lines the killed process printed
 * ({@link SubCommand#MAX_BATCH_LINES} at most), and a file cut inside a line only where the kernel
 * stops a write that SIGKILL interrupted (at a 4 KiB boundary), the cut line then printed whole by the
 * next process.
 *
 * <p>The seed is printed; {@code -Dringbus.test.seed=N} replays a run's kill times.
 */
class DurableSubKillTest {
    private static final String TOPIC = "t";
    private static final String NAME = "audit";

    private Path directory;
    private final ChildProcesses children = new ChildProcesses();

    @BeforeEach
    void createDirectory() throws Exception {
        directory = Cli.newBusDirectory();
    }

    @AfterEach
    void cleanUp() throws Exception {
        children.close();
        Cli.deleteTree(directory.getParent());
    }

    /** On shared memory: 8 to 15 kills. */
    @Test
    void aDurableSubKilledAtRandomMomentsLosesNoLineAndLeavesNoPartialLine() throws Exception {
        killAndRestart(List.of(), 8, 8);
    }

    /**
     * Through a daemon on a Unix socket ({@code --via unix:}): the daemon's subscription follows the
     * client's COMMIT frames, so the same holds, however much the daemon had sent into the socket. 8
     * kills, to keep the time down.
     */
    @Test
    void theSameThroughADaemon() throws Exception {
        Path socket = directory.getParent().resolve("bus.sock");
        try (Daemons.Running daemon = Daemons.start("--dir", directory.toString(), "--listen", "unix:" + socket,
            "--pid-file", directory.getParent().resolve("daemon.pid").toString())) {
            killAndRestart(List.of("--via", daemon.listening("unix:")), 8, 0);
        }
    }

    private void killAndRestart(List<String> via, int minKills, int moreKills) throws Exception {
        long seed = Long.getLong("ringbus.test.seed", System.nanoTime());
        System.out.println("DurableSubKillTest seed " + seed + " (-Dringbus.test.seed=" + seed + " replays it)");
        Random random = new Random(seed);
        int kills = minKills + (moreKills > 0 ? random.nextInt(moreKills) : 0);
        Path work = directory.getParent();
        List<Path> outputs = new ArrayList<>();

        children.start(new ProcessBuilder("yes").redirectOutput(ProcessBuilder.Redirect.DISCARD));
        Process sub = startSub(work, outputs, via);
        Cli.awaitTopic(directory, TOPIC, t -> t.subscribers().stream().anyMatch(s -> NAME.equals(s.durableName())
            && s.alive()));
        ProcessBuilder generator = new ProcessBuilder("bash", "-c",
            "seq 1 1000000000 | exec \"$BUS\" pub " + TOPIC + " --dir " + directory)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT);
        generator.environment().put("BUS", Cli.busScript().toString());
        Process pub = children.start(generator);

        for (int kill = 0; kill < kills; kill++) {
            Thread.sleep(300 + random.nextInt(2_200)); // from JVM start-up to full flow
            Cli.crash(sub);
            sub = startSub(work, outputs, via);
        }
        pub.descendants().forEach(ProcessHandle::destroyForcibly);
        pub.destroyForcibly();
        pub.waitFor();

        // The last one catches up with the tail (nothing more comes) and commits it all, then stops.
        Cli.awaitTopic(directory, TOPIC, t -> t.tail() > 0 && t.subscribers().stream()
            .anyMatch(s -> NAME.equals(s.durableName()) && s.alive() && s.lag() == 0));
        sub.destroy();
        assertEquals(143, Cli.await(sub, 30), "a durable sub ended by SIGTERM");

        long lines = check(outputs, SubCommand.MAX_BATCH_LINES);
        assertTrue(lines > 10_000, "the publisher got going (" + lines + " lines)");
    }

    private Process startSub(Path work, List<Path> outputs, List<String> via) throws IOException {
        Path out = work.resolve("out." + outputs.size());
        outputs.add(out);
        List<String> args = new ArrayList<>(List.of("sub", TOPIC, "--name", NAME));
        args.addAll(via.isEmpty() ? List.of("--dir", directory.toString()) : via);
        return children.add(Cli.startTo(out, args.toArray(String[]::new)));
    }

    /**
     * The contract, checked over the files in order: each file ends at the end of a line, or (SIGKILL
     * inside a write) at a multiple of 4096 bytes with a start of the next line owed; within a file,
     * lines count up by one; the first line of a file is at most {@code maxRepeat} below the next line
     * owed (a repeat of the killed process's last write), never above it (a loss). Every breach is
     * listed; returns the last line.
     */
    static long check(List<Path> outputs, int maxRepeat) throws IOException {
        List<String> breaches = new ArrayList<>();
        long next = 1;
        int repeats = 0;
        int cutByKernel = 0;
        for (Path output : outputs) {
            String text = Files.readString(output, StandardCharsets.UTF_8);
            String name = output.getFileName().toString();
            if (!text.isEmpty() && !text.endsWith("\n")) {
                int cut = text.lastIndexOf('\n') + 1;
                String fragment = text.substring(cut);
                String before = lastLine(text.substring(0, cut));
                String owed = before.isEmpty() ? Long.toString(next) : before.matches("[0-9]{1,18}")
                    ? Long.toString(Long.parseLong(before) + 1) : "";
                if (text.length() % 4096 == 0 && !owed.isEmpty() && owed.startsWith(fragment)) {
                    cutByKernel++;
                } else {
                    breaches.add(name + " ends in a partial line '" + fragment + "' after '" + before + "' ("
                        + text.length() + " bytes)");
                }
                text = text.substring(0, cut);
            }
            boolean firstOfFile = true;
            for (String line : text.lines().toList()) {
                long value;
                try {
                    value = Long.parseLong(line);
                } catch (NumberFormatException e) {
                    breaches.add(name + " holds a damaged line '" + line + "'");
                    continue;
                }
                if (firstOfFile && value < next) {
                    repeats++;
                    if (next - value > maxRepeat) {
                        breaches.add(name + " starts at " + value + ", repeating " + (next - value) + " lines; at most "
                            + maxRepeat + " may repeat");
                    }
                } else if (value != next) {
                    breaches.add(name + ": line " + value + " where " + next + " was owed (" + (value - next)
                        + " lines lost" + (firstOfFile ? " across the restart" : "") + ")");
                }
                next = value + 1;
                firstOfFile = false;
            }
        }
        System.out.println("DurableSubKillTest: " + (next - 1) + " lines in " + outputs.size() + " files, "
            + repeats + " restarts repeated lines, " + cutByKernel + " files cut inside a write, " + breaches.size()
            + " breaches");
        if (!breaches.isEmpty()) {
            fail(breaches.size() + " breaches of the contract over " + outputs.size() + " files:\n  "
                + String.join("\n  ", breaches));
        }
        return next - 1;
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().toList();
        return lines.isEmpty() ? "" : lines.getLast();
    }
}
