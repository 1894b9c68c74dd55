package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A scenario drawn at random and driven through the command line, as users and faults behave, with a
 * busy process ({@code yes > /dev/null}) beside it: publishers ({@code seq | bus pub t}) killed with
 * SIGKILL at any moment and replaced, a second publisher started beside the first, the durable
 * {@code bus sub t --name audit} killed and restarted, late subscribers joining at {@code earliest}
 * while publishing runs flat out, and a live subscriber that watches it all. Each publisher is a
 * generation whose lines are {@code gN 1}, {@code gN 2}, ... Once every publisher is dead, every
 * subscriber must reach the tail (a subscriber left behind it is a hung topic), and the files must
 * hold:
 * <ul>
 *   <li>the watcher (joined before any publisher): each generation's lines from 1 to that generation's
 *       last, in order, once each;</li>
 *   <li>the durable audit (all its files, in order): the same, but for the repeats and the 4 KiB cut
 *       that {@code sub --help} allows at a kill (see {@link DurableSubKillTest});</li>
 *   <li>each late joiner: for each generation it saw, an unbroken run ending at that generation's last
 *       line (it joined wherever the oldest record was).</li>
 * </ul>
 * A generation's last line is the highest the audit saw: a killed publisher's lines stop where it died,
 * and nothing it committed may be missing before that.
 *
 * <p>The seed is printed; {@code -Dringbus.test.seed=N} replays a run's choices and timings.
 */
class RandomFaultScenarioTest extends WithBusDirectory {
    private static final String TOPIC = "t";
    private static final String AUDIT = "audit";
    private static final int MAX_PUBLISHERS = 2;
    private static final int MAX_LATE_JOINERS = 2;

    /** Where the clients reach the bus: its directory (empty) or {@code --via ADDRESS}. */
    private List<String> via = List.of();

    /** On shared memory: every process maps the topic. */
    @Test
    void publishersAndSubscribersKilledAtRandomMomentsLoseNothingAndHangNothing() throws Exception {
        runScenario();
    }

    /**
     * The same through a daemon on a Unix socket ({@code --via unix:}): the clients die, the daemon's
     * sessions must let go of their publishers and subscriptions and lose nothing committed.
     */
    @Test
    void theSameThroughADaemon() throws Exception {
        Path socket = work.resolve("bus.sock");
        try (Daemons.Running daemon = Daemons.start("--dir", directory.toString(), "--listen", "unix:" + socket,
            "--pid-file", work.resolve("daemon.pid").toString())) {
            via = List.of("--via", daemon.listening("unix:"));
            runScenario();
        }
    }

    private void runScenario() throws Exception {
        long seed = Long.getLong("ringbus.test.seed", System.nanoTime());
        System.out.println("RandomFaultScenarioTest seed " + seed + " (-Dringbus.test.seed=" + seed + " replays it)");
        Random random = new Random(seed);
        children.start(new ProcessBuilder("yes").redirectOutput(ProcessBuilder.Redirect.DISCARD));

        List<Path> auditFiles = new ArrayList<>();
        Process audit = startSub(auditFiles, "audit", "--name", AUDIT);
        List<Path> watcherFile = new ArrayList<>();
        Process watcher = startSub(watcherFile, "watcher");
        Cli.awaitTopic(directory, TOPIC, t -> t.subscribers().stream().filter(s -> s.alive()).count() == 2);

        List<Process> publishers = new ArrayList<>();
        List<Process> lateJoiners = new ArrayList<>();
        List<Path> lateFiles = new ArrayList<>();
        int generation = 0;
        publishers.add(startPublisher(++generation));
        awaitPublishing(publishers.size());
        List<String> log = new ArrayList<>(List.of("g1 starts"));
        int steps = 6 + random.nextInt(4);
        for (int step = 0; step < steps; step++) {
            Thread.sleep(200 + random.nextInt(1_300));
            int draw = random.nextInt(100);
            if (draw < 35 || publishers.isEmpty()) {
                if (!publishers.isEmpty()) {
                    killPublisher(publishers.remove(random.nextInt(publishers.size())));
                }
                publishers.add(startPublisher(++generation));
                awaitPublishing(publishers.size());
                log.add("a publisher killed, g" + generation + " starts");
            } else if (draw < 50 && publishers.size() < MAX_PUBLISHERS) {
                publishers.add(startPublisher(++generation));
                awaitPublishing(publishers.size());
                log.add("g" + generation + " starts beside");
            } else if (draw < 75) {
                Cli.crash(audit);
                audit = startSub(auditFiles, "audit", "--name", AUDIT);
                log.add("audit killed and restarted");
            } else if (lateJoiners.size() < MAX_LATE_JOINERS) {
                lateJoiners.add(startSub(lateFiles, "late", "--from", "earliest"));
                log.add("a late joiner at earliest");
            }
        }
        for (Process publisher : publishers) {
            killPublisher(publisher);
        }
        log.add("every publisher killed");
        System.out.println("RandomFaultScenarioTest: " + String.join("; ", log));

        int subscribers = 2 + lateJoiners.size();
        try {
            Cli.awaitTopic(directory, TOPIC, t -> t.tail() > 0 && t.publishers().stream().noneMatch(p -> p.alive())
                && t.subscribers().stream().filter(s -> s.alive() && s.lag() == 0).count() == subscribers);
        } catch (AssertionError hung) {
            fail("a subscriber stayed behind the tail after every publisher died (seed " + seed + "): "
                + hung.getMessage(), hung);
        }
        List<Process> subs = new ArrayList<>(List.of(audit, watcher));
        subs.addAll(lateJoiners);
        for (Process sub : subs) {
            sub.destroy();
        }
        for (Process sub : subs) {
            assertEquals(143, Cli.await(sub, 30), "a sub ended by SIGTERM");
        }

        Map<Integer, Long> lastOf = checkAudit(auditFiles);
        long lines = lastOf.values().stream().mapToLong(Long::longValue).sum();
        assertTrue(lines > 10_000, "the publishers got going (" + lines + " lines in " + lastOf.size()
            + " generations)");
        List<String> breaches = new ArrayList<>();
        checkWhole(watcherFile.getFirst(), lastOf, breaches);
        for (Path late : lateFiles) {
            checkTails(late, lastOf, breaches);
        }
        System.out.println("RandomFaultScenarioTest: " + lines + " lines in " + lastOf.size() + " generations, "
            + lateFiles.size() + " late joiners, " + auditFiles.size() + " audit files");
        if (!breaches.isEmpty()) {
            fail(breaches.size() + " breaches (seed " + seed + "):\n  " + String.join("\n  ", breaches));
        }
    }

    /**
     * Waits until {@code count} publishers hold slots, so that the kills that follow fall inside their
     * work (a JVM still starting up takes a second or more here, and a kill then tests nothing).
     */
    private void awaitPublishing(int count) throws InterruptedException {
        Cli.awaitTopic(directory, TOPIC, t -> t.publishers().stream().filter(p -> p.alive()).count() == count);
    }

    private Process startPublisher(int generation) throws IOException {
        String reach = via.isEmpty() ? "--dir " + directory : String.join(" ", via);
        ProcessBuilder builder = new ProcessBuilder("bash", "-c",
            "seq -f 'g" + generation + " %.0f' 1 1000000000 | exec \"$BUS\" pub " + TOPIC + " " + reach)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("BUS", Cli.busScript().toString());
        return children.start(builder);
    }

    /** SIGKILL to the publisher's JVM first (so that it dies inside its work, not at the end of its input). */
    private static void killPublisher(Process publisher) throws InterruptedException {
        List<ProcessHandle> descendants = publisher.descendants().toList();
        descendants.stream().filter(p -> p.info().command().orElse("").endsWith("java"))
            .forEach(ProcessHandle::destroyForcibly);
        descendants.forEach(ProcessHandle::destroyForcibly);
        publisher.destroyForcibly();
        publisher.waitFor();
        for (ProcessHandle descendant : descendants) {
            descendant.onExit().join();
        }
    }

    private Process startSub(List<Path> outputs, String role, String... options) throws IOException {
        Path out = work.resolve(role + "." + outputs.size());
        outputs.add(out);
        List<String> args = new ArrayList<>(List.of("sub", TOPIC));
        args.addAll(via.isEmpty() ? List.of("--dir", directory.toString()) : via);
        args.addAll(List.of(options));
        return children.add(Cli.startTo(out, args.toArray(String[]::new)));
    }

    /**
     * The audit's files in order: per generation, every line from 1 on, in order; at a restart the
     * first lines may repeat the killed process's last batch, and a killed process's file may end cut
     * at a 4 KiB boundary. Returns each generation's last line.
     */
    private static Map<Integer, Long> checkAudit(List<Path> files) throws IOException {
        List<String> breaches = new ArrayList<>();
        Map<Integer, Long> next = new LinkedHashMap<>();
        for (Path file : files) {
            long length = Files.size(file);
            long whole = LineScanner.wholeLinesLength(file);
            if (whole < length && length % 4096 != 0) {
                breaches.add(file.getFileName() + " ends in a partial line, not at a 4 KiB write boundary ("
                    + length + " bytes)");
            }
            // The partial line after the last newline is not read: the next process prints it whole.
            Map<Integer, Boolean> firstInFile = new HashMap<>();
            LineScanner.scan(file, whole, (parsed, line) -> {
                if (parsed == null) {
                    breaches.add(file.getFileName() + " holds a damaged line '" + line.text() + "'");
                    return;
                }
                long owed = next.getOrDefault(parsed.generation, 1L);
                boolean first = firstInFile.put(parsed.generation, false) == null;
                if (first && parsed.number < owed) {
                    if (owed - parsed.number > SubCommand.MAX_BATCH_LINES) {
                        breaches.add(file.getFileName() + " repeats " + (owed - parsed.number) + " lines of g"
                            + parsed.generation + "; at most " + SubCommand.MAX_BATCH_LINES + " may repeat");
                    }
                } else if (parsed.number != owed) {
                    breaches.add(file.getFileName() + ": " + line.text() + " where g" + parsed.generation + " "
                        + owed + " was owed");
                }
                next.put(parsed.generation, parsed.number + 1);
            });
        }
        if (!breaches.isEmpty()) {
            fail(breaches.size() + " breaches in the durable audit's files:\n  " + String.join("\n  ", breaches));
        }
        Map<Integer, Long> last = new LinkedHashMap<>();
        next.forEach((generation, owed) -> last.put(generation, owed - 1));
        return last;
    }

    /** A subscriber live before any publisher: each generation whole, from 1 to its last, once each. */
    private static void checkWhole(Path file, Map<Integer, Long> lastOf, List<String> breaches) throws IOException {
        Map<Integer, Long> seen = runs(file, breaches, true);
        lastOf.forEach((generation, last) -> {
            if (!last.equals(seen.getOrDefault(generation, 0L))) {
                breaches.add(file.getFileName() + " got g" + generation + " up to " + seen.getOrDefault(generation,
                    0L) + ", the audit up to " + last);
            }
        });
    }

    /** A late joiner: each generation it saw, an unbroken run that ends at that generation's last line. */
    private static void checkTails(Path file, Map<Integer, Long> lastOf, List<String> breaches) throws IOException {
        Map<Integer, Long> seen = runs(file, breaches, false);
        seen.forEach((generation, upTo) -> {
            if (!upTo.equals(lastOf.get(generation))) {
                breaches.add(file.getFileName() + " got g" + generation + " up to " + upTo + ", the audit up to "
                    + lastOf.get(generation));
            }
        });
    }

    /**
     * Reads a file that no kill cut: per generation, lines must count up by one (from 1 when
     * {@code fromOne}); returns each generation's highest line.
     */
    private static Map<Integer, Long> runs(Path file, List<String> breaches, boolean fromOne) throws IOException {
        long length = Files.size(file);
        if (LineScanner.wholeLinesLength(file) < length) {
            breaches.add(file.getFileName() + " ends in a partial line (its process ended by SIGTERM)");
        }
        Map<Integer, Long> highest = new LinkedHashMap<>();
        LineScanner.scan(file, length, (parsed, line) -> {
            if (parsed == null) {
                breaches.add(file.getFileName() + " holds a damaged line '" + line.text() + "'");
                return;
            }
            Long before = highest.get(parsed.generation);
            long owed = before != null ? before + 1 : fromOne ? 1 : parsed.number;
            if (parsed.number != owed) {
                breaches.add(file.getFileName() + ": " + line.text() + " where g" + parsed.generation + " " + owed
                    + " was owed");
            }
            highest.put(parsed.generation, parsed.number);
        });
        return highest;
    }

    /** A published line, {@code gN K}. */
    private record Line(int generation, long number) {
        /**
         * The line's generation and number, or null for anything else ({@code g[0-9]{1,4} [0-9]{1,12}}):
         * {@code bytes[0, length)}, without its line terminator.
         */
        static Line parse(byte[] bytes, int length) {
            int space = -1;
            for (int i = 0; i < length; i++) {
                if (bytes[i] == ' ') {
                    space = i;
                    break;
                }
            }
            int numberDigits = length - space - 1;
            if (space < 2 || space > 5 || bytes[0] != 'g' || numberDigits < 1 || numberDigits > 12) {
                return null;
            }
            long generation = digits(bytes, 1, space);
            long number = digits(bytes, space + 1, length);
            return generation < 0 || number < 0 ? null : new Line((int) generation, number);
        }

        /** The decimal number {@code bytes[from, to)} spells, or -1 when a byte there is not a digit. */
        private static long digits(byte[] bytes, int from, int to) {
            long value = 0;
            for (int i = from; i < to; i++) {
                if (bytes[i] < '0' || bytes[i] > '9') {
                    return -1;
                }
                value = value * 10 + bytes[i] - '0';
            }
            return value;
        }
    }

    /** One line as {@link LineScanner} read it: its bytes, turned into text only for a message. */
    private record RawLine(byte[] bytes, int length) {
        String text() {
            return new String(bytes, 0, length, StandardCharsets.UTF_8);
        }
    }

    /** Called with each line: its parse (null when damaged) and its bytes. */
    private interface LineVisitor {
        void visit(Line parsed, RawLine line);
    }

    /**
     * Reads a subscriber's output file as a stream of bytes, a line at a time, as {@link String#lines()}
     * splits text (at {@code \n}, {@code \r} or {@code \r\n}): the files run to hundreds of MB, too many
     * lines to hold as strings.
     */
    private static final class LineScanner {
        private LineScanner() {
        }

        /** The length of the file up to and including its last {@code \n} (0 without one). */
        static long wholeLinesLength(Path file) throws IOException {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                byte[] window = new byte[1 << 16];
                for (long end = raf.length(); end > 0; ) {
                    long from = Math.max(0, end - window.length);
                    raf.seek(from);
                    raf.readFully(window, 0, (int) (end - from));
                    for (int i = (int) (end - from) - 1; i >= 0; i--) {
                        if (window[i] == '\n') {
                            return from + i + 1;
                        }
                    }
                    end = from;
                }
                return 0;
            }
        }

        /** Visits every line in the first {@code limit} bytes of the file, the last one even if unterminated. */
        static void scan(Path file, long limit, LineVisitor visitor) throws IOException {
            byte[] line = new byte[64];
            int length = 0;
            boolean afterCr = false;
            try (InputStream in = Files.newInputStream(file)) {
                byte[] chunk = new byte[1 << 20];
                long left = limit;
                while (left > 0) {
                    int read = in.read(chunk, 0, (int) Math.min(chunk.length, left));
                    if (read < 0) {
                        break;
                    }
                    left -= read;
                    for (int i = 0; i < read; i++) {
                        byte b = chunk[i];
                        if (b == '\n' || b == '\r') {
                            if (!(b == '\n' && afterCr)) {
                                RawLine raw = new RawLine(line, length);
                                visitor.visit(Line.parse(line, length), raw);
                            }
                            length = 0;
                            afterCr = b == '\r';
                            continue;
                        }
                        afterCr = false;
                        if (length == line.length) {
                            line = Arrays.copyOf(line, length * 2);
                        }
                        line[length++] = b;
                    }
                }
            }
            if (length > 0) {
                visitor.visit(Line.parse(line, length), new RawLine(line, length));
            }
        }
    }
}
