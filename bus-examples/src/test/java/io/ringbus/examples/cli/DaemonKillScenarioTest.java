package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The daemon, not a client, killed with SIGKILL at random moments and started again on the same address
 * and bus directory, while two {@code bus pub t --via URI} publish, a durable
 * {@code bus sub t --via URI --name audit} and a plain {@code bus sub t --via URI} print, and a
 * {@code bus sub t} on shared memory watches the ring itself, with a busy process
 * ({@code yes > /dev/null}) beside them. The address is a Unix socket (2 to 4 kills) and one more path
 * drawn per run from TCP, FIFOs and message queues (1 or 2 kills). A quarter of the kills come soon after
 * a restart, while the clients reconnect; a quarter stop the daemon first ({@code kill -STOP}) and kill it
 * up to a second later, so that the clients reconnecting meanwhile are caught inside their handshake; a
 * third of the time the address stays empty up to a second, and then half the time {@code bus clean} runs
 * (it must leave the audit's position alone). Publisher {@code N}'s lines are {@code gN 1}, {@code gN 2},
 * ... Once both publishers ended (their input closed), what the documentation promises must hold:
 * <ul>
 *   <li>the topic does not hang: every live subscriber reaches the tail (the dead daemons' publisher
 *       and subscriber slots hold nothing back, and the new daemon takes over the audit's durable
 *       name);</li>
 *   <li>the shared-memory watcher saw what was committed to the ring, in order, once each;</li>
 *   <li>a publisher whose lines did not all reach the ring exits 1 saying the bridge went away (exit 0
 *       only when every line was published, {@code pub --help});</li>
 *   <li>the durable audit printed every line committed to the ring, in ring order, but for the repeats
 *       the FAQ allows after a daemon's death: at most one rewind per kill, each going back to an
 *       earlier line of the ring and going on from there without a gap;</li>
 *   <li>the plain sub printed ring lines in ring order, none twice (it misses what was published while
 *       it was away: it is not durable).</li>
 * </ul>
 *
 * <p>The seed is printed; {@code -Dringbus.test.seed=N} replays a run's kill times and its drawn path.
 */
class DaemonKillScenarioTest extends WithBusDirectory {
    private static final String TOPIC = "t";
    private static final int PUBLISHERS = 2;
    /** Lines a publisher's input gets between pauses: about 100,000 a second, so the files stay small. */
    private static final int LINES_PER_CHUNK = 200;
    /** The paths beside the Unix socket, one drawn per run. */
    private static final List<String> OTHER_PATHS = List.of("tcp", "fifo", "mq");

    /** What the daemon listens on: fixed after the first start (a tcp port 0 becomes the port it chose). */
    private String listen;
    /** What the clients give {@code --via}. */
    private String uri;

    @Test
    void aDaemonKilledAtRandomMomentsLosesNoCommittedLineAndHangsNothing() throws Exception {
        runScenario("unix", Long.getLong("ringbus.test.seed", System.nanoTime()), 2, 4);
    }

    /**
     * The same on another path a daemon serves, drawn from the seed (so that {@code -Dringbus.test.seed=N}
     * replays the path too): TCP (restarted on the port the first daemon chose), FIFOs (the dead daemon
     * leaves its {@code bridge.fifo} and lock file, and clients caught in their rendezvous leave their
     * FIFO pairs) or message queues (the dead daemon leaves its request queue, holding the CONNECTs of
     * clients that tried while it was away). One or two kills, to keep the suite short.
     * {@code -Dringbus.test.path=tcp|fifo|mq|all} chooses the path (all: one after another), and
     * {@code -Dringbus.test.pathKills=N} kills N times (a soak).
     */
    @Test
    void theSameOnAnotherStreamPath() throws Exception {
        long seed = Long.getLong("ringbus.test.seed", System.nanoTime());
        String chosen = System.getProperty("ringbus.test.path", OTHER_PATHS.get(Math.floorMod(seed, 3)));
        List<String> paths = chosen.equals("all") ? OTHER_PATHS : List.of(chosen);
        int kills = Integer.getInteger("ringbus.test.pathKills", 0);
        for (String path : paths) {
            runScenario(path, seed, kills > 0 ? kills : 1, kills > 0 ? kills : 2);
            killChildrenAndRemoveDirectory();
            createBusDirectory();
        }
    }

    private void runScenario(String path, long seed, int minKills, int maxKills) throws Exception {
        String name = "DaemonKillScenarioTest[" + path + "]";
        System.out.println(name + " seed " + seed + " (-Dringbus.test.seed=" + seed + " replays it)");
        Random random = new Random(seed);
        listen = switch (path) {
            case "unix" -> "unix:" + work.resolve("sock/bus.sock");
            case "tcp" -> "tcp://127.0.0.1:0";
            case "fifo" -> "fifo:" + work.resolve("fifo");
            case "mq" -> "mq:/" + work.getFileName();
            default -> throw new IllegalArgumentException(path);
        };
        children.start(new ProcessBuilder("yes").redirectOutput(ProcessBuilder.Redirect.DISCARD));
        Daemons.Running daemon = startDaemon();
        uri = daemon.listening(listen.substring(0, listen.indexOf(':') + 1));
        listen = uri;

        Path watcherFile = work.resolve("watcher");
        Path auditFile = work.resolve("audit");
        Path plainFile = work.resolve("plain");
        List<Process> subs = new ArrayList<>();
        subs.add(children.add(Cli.startTo(watcherFile, "sub", TOPIC, "--dir", directory.toString())));
        subs.add(children.add(Cli.startTo(auditFile, "sub", TOPIC, "--via", uri, "--name", "audit")));
        subs.add(children.add(Cli.startTo(plainFile, "sub", TOPIC, "--via", uri)));
        Cli.awaitTopic(directory, TOPIC, t -> t.subscribers().stream().filter(s -> s.alive()).count() == subs.size());

        AtomicBoolean stop = new AtomicBoolean();
        List<Publisher> publishers = new ArrayList<>();
        for (int generation = 1; generation <= PUBLISHERS; generation++) {
            publishers.add(Publisher.start(children, generation, uri, stop));
        }
        // Both publishing: kills during a JVM's start test nothing.
        Cli.awaitTopic(directory, TOPIC, t -> t.tail() > 0
            && t.publishers().stream().filter(p -> p.alive()).count() == PUBLISHERS);

        int kills = minKills + random.nextInt(maxKills - minKills + 1);
        List<String> log = new ArrayList<>();
        for (int kill = 0; kill < kills; kill++) {
            daemon = killAndRestart(daemon, random, log);
        }
        Thread.sleep(200 + random.nextInt(800));
        stop.set(true);
        System.out.println(name + ": " + String.join("; ", log));

        List<String> breaches = new ArrayList<>();
        Map<Integer, Long> written = new HashMap<>();
        List<Publisher.Ended> ended = new ArrayList<>();
        for (Publisher publisher : publishers) {
            Publisher.Ended end = publisher.await();
            ended.add(end);
            written.put(publisher.generation(), end.written());
        }
        try {
            Cli.awaitTopic(directory, TOPIC, t -> t.tail() > 0 && t.publishers().stream().noneMatch(p -> p.alive())
                && t.subscribers().stream().filter(s -> s.alive() && s.lag() == 0).count() == subs.size());
        } catch (AssertionError hung) {
            fail("a subscriber stayed behind the tail after the publishers ended (seed " + seed + "): "
                + hung.getMessage(), hung);
        }
        for (Process sub : subs) {
            sub.destroy();
        }
        for (Process sub : subs) {
            int status = Cli.await(sub, 30);
            if (status != 143) {
                breaches.add("a sub ended by SIGTERM exited " + status);
            }
        }
        try (Daemons.Running last = daemon) {
            int status = last.terminate();
            if (status != 0) {
                breaches.add("the last daemon, ended by SIGTERM, exited " + status);
            }
        }

        RingOrder ring = RingOrder.read(watcherFile, breaches);
        List<String> pubs = new ArrayList<>();
        for (Publisher.Ended end : ended) {
            long reached = ring.count(end.generation());
            pubs.add("g" + end.generation() + " exit " + end.status() + ", " + (end.written() - reached) + " lost");
            boolean lost = reached != end.written();
            if (lost && end.status() == 0) {
                breaches.add("g" + end.generation() + ": pub exited 0 but " + (end.written() - reached) + " of its "
                    + end.written() + " lines never reached the ring");
            } else if (lost && (end.status() != 1 || !end.errors().contains("went away"))) {
                breaches.add("g" + end.generation() + ": pub lost " + (end.written() - reached) + " lines and exited "
                    + end.status() + " saying: " + end.errors());
            } else if (!lost && end.status() != 0 && end.status() != 1) {
                breaches.add("g" + end.generation() + ": pub exited " + end.status() + ": " + end.errors());
            }
        }
        int rewinds = checkAudit(auditFile, ring, breaches);
        checkPlain(plainFile, ring, breaches);
        System.out.println(name + ": " + ring.size() + " lines in the ring of " + written
            + " written (" + String.join("; ", pubs) + "), " + kills + " kills, the audit rewound " + rewinds
            + " times");
        assertTrue(ring.size() > 10_000, "the publishers got going (" + ring.size() + " lines)");
        if (!breaches.isEmpty()) {
            fail(breaches.size() + " breaches (seed " + seed + ", " + path + "):\n  " + String.join("\n  ",
                breaches.subList(0, Math.min(20, breaches.size()))));
        }
        if (rewinds > kills) {
            fail("the audit rewound " + rewinds + " times in " + kills + " daemon kills (seed " + seed + ", " + path
                + ")");
        }
    }

    /**
     * Kills the daemon (a quarter of the time soon after its start, while the clients reconnect; a quarter
     * of the time stopped first, so that the clients reconnecting meanwhile are caught inside their
     * handshake), sometimes leaves the address empty for a while (running {@code bus clean} then), and
     * starts another on the same address. Returns the new one.
     */
    private Daemons.Running killAndRestart(Daemons.Running daemon, Random random, List<String> log)
        throws Exception {
        // A quarter of the kills come soon after a restart, while the clients reconnect (handshakes).
        int after = random.nextInt(4) == 0 ? random.nextInt(300) : 200 + random.nextInt(1_300);
        Thread.sleep(after);
        String how = "killed after " + after + " ms";
        if (random.nextInt(4) == 0) {
            // Stopped first: the clients that reconnect meanwhile are caught inside their handshake
            // (a socket's backlog accepts them, a FIFO or queue takes their CONNECT) when it dies.
            ProcessHandle handle = daemon.process().toHandle();
            signal("STOP", handle.pid());
            int stopped = 100 + random.nextInt(900);
            Thread.sleep(stopped);
            how = "stopped after " + after + " ms, killed " + stopped + " ms later";
        }
        Cli.crash(daemon.process());
        int away = random.nextInt(3) == 0 ? random.nextInt(1_000) : 0;
        Thread.sleep(away);
        if (away > 0 && random.nextBoolean()) {
            // What a user told to tidy up would run: it must leave the audit's position and the
            // clients alone, and clear the dead daemon's request queue (mq).
            Cli.Result clean = Cli.run("", "clean", "--dir", directory.toString());
            if (clean.exitCode() != 0) {
                fail("bus clean with the daemon dead exited " + clean.exitCode() + ": " + clean.err());
            }
            how += ", bus clean";
        }
        log.add(how + ", back after " + away + " ms");
        return startDaemon();
    }

    private Daemons.Running startDaemon() throws Exception {
        Daemons.Running daemon = Daemons.start("--dir", directory.toString(), "--listen", listen,
            "--pid-file", work.resolve("daemon.pid").toString());
        children.add(daemon.process());
        return daemon;
    }

    /** Sends {@code kill -SIGNAL pid}. */
    private static void signal(String name, long pid) throws IOException, InterruptedException {
        int status = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor();
        if (status != 0) {
            fail("kill -" + name + " " + pid + " exited " + status);
        }
    }

    /**
     * The durable audit: runs of the ring's lines, each starting at or before the line after the last
     * run's end (a rewind repeats lines; a start beyond would lose some), the last run ending at the
     * ring's last line. Returns how many rewinds.
     */
    private static int checkAudit(Path file, RingOrder ring, List<String> breaches) throws IOException {
        int rewinds = 0;
        int next = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                int index = ring.indexOf(line);
                if (index < 0) {
                    breaches.add("the audit printed '" + line + "', which is not in the ring");
                } else if (index < next) {
                    rewinds++;
                    next = index + 1;
                } else if (index > next) {
                    breaches.add("the audit printed " + line + " where " + ring.line(next) + " was owed: "
                        + (index - next) + " ring lines skipped");
                    next = index + 1;
                } else {
                    next++;
                }
            }
        }
        if (next != ring.size()) {
            breaches.add("the audit ended at ring line " + next + " of " + ring.size());
        }
        return rewinds;
    }

    /** The plain sub: ring lines in ring order, none twice (gaps are what it missed while away). */
    private static void checkPlain(Path file, RingOrder ring, List<String> breaches) throws IOException {
        int last = -1;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                int index = ring.indexOf(line);
                if (index < 0) {
                    breaches.add("the plain sub printed '" + line + "', which is not in the ring");
                } else if (index <= last) {
                    breaches.add("the plain sub printed " + line + " after " + ring.line(last));
                } else {
                    last = index;
                }
            }
        }
    }

    /**
     * The order of the lines in the ring, as the shared-memory watcher printed them: per generation, the
     * numbers (ascending, none twice) and each one's index in the ring.
     */
    private record RingOrder(Map<Integer, long[]> numbers, Map<Integer, int[]> indexes, List<Long> byIndex) {
        static RingOrder read(Path file, List<String> breaches) throws IOException {
            Map<Integer, LongList> numbers = new HashMap<>();
            Map<Integer, LongList> indexes = new HashMap<>();
            List<Long> byIndex = new ArrayList<>();
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    long key = parse(line);
                    if (key < 0) {
                        breaches.add("the watcher printed a damaged line '" + line + "'");
                        continue;
                    }
                    int generation = (int) (key >>> 48);
                    long number = key & 0xFFFF_FFFF_FFFFL;
                    LongList own = numbers.computeIfAbsent(generation, g -> new LongList());
                    if (own.size > 0 && own.values[own.size - 1] >= number) {
                        breaches.add("the watcher printed " + line + " after g" + generation + " "
                            + own.values[own.size - 1]);
                        continue;
                    }
                    own.add(number);
                    indexes.computeIfAbsent(generation, g -> new LongList()).add(byIndex.size());
                    byIndex.add(key);
                }
            }
            Map<Integer, long[]> sorted = new HashMap<>();
            Map<Integer, int[]> at = new HashMap<>();
            numbers.forEach((g, list) -> sorted.put(g, Arrays.copyOf(list.values, list.size)));
            indexes.forEach((g, list) -> at.put(g, Arrays.stream(list.values, 0, list.size).mapToInt(v -> (int) v)
                .toArray()));
            return new RingOrder(sorted, at, byIndex);
        }

        int size() {
            return byIndex.size();
        }

        long count(int generation) {
            long[] own = numbers.get(generation);
            return own == null ? 0 : own.length;
        }

        /** The line's index in the ring, or -1 if it is not there. */
        int indexOf(String line) {
            long key = parse(line);
            long[] own = key < 0 ? null : numbers.get((int) (key >>> 48));
            if (own == null) {
                return -1;
            }
            int found = Arrays.binarySearch(own, key & 0xFFFF_FFFF_FFFFL);
            return found < 0 ? -1 : indexes.get((int) (key >>> 48))[found];
        }

        String line(int index) {
            if (index >= byIndex.size()) {
                return "(the end)";
            }
            long key = byIndex.get(index);
            return "g" + (key >>> 48) + " " + (key & 0xFFFF_FFFF_FFFFL);
        }

        /** {@code gN K} as N in the top 16 bits and K below, or -1. */
        private static long parse(String line) {
            int space = line.indexOf(' ');
            if (space < 2 || space > 5 || line.charAt(0) != 'g' || space == line.length() - 1
                || line.length() - space > 13) {
                return -1;
            }
            try {
                long generation = Long.parseLong(line, 1, space, 10);
                long number = Long.parseLong(line, space + 1, line.length(), 10);
                return generation < 0 || number < 1 ? -1 : generation << 48 | number;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /** A growable array of longs. */
    private static final class LongList {
        long[] values = new long[1024];
        int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }
    }

    /** A {@code bus pub t --via URI} whose input this test writes until told to stop, then closes. */
    private record Publisher(int generation, Process process, CompletableFuture<Long> writer,
        CompletableFuture<String> errors) {
        /** How a publisher ended: the lines written to its input, its exit status and standard error. */
        record Ended(int generation, long written, int status, String errors) {
        }

        static Publisher start(ChildProcesses children, int generation, String uri, AtomicBoolean stop)
            throws IOException {
            Process process = children.add(Cli.startFullyCompiling("pub", TOPIC, "--via", uri));
            CompletableFuture<String> errors = onThread(() -> {
                try {
                    return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "(unreadable: " + e + ")";
                }
            });
            CompletableFuture<Long> writer = onThread(() -> write(process, generation, stop));
            return new Publisher(generation, process, writer, errors);
        }

        /** Runs {@code work} on a thread of its own (the common pool may have one thread, and both block). */
        private static <T> CompletableFuture<T> onThread(Supplier<T> work) {
            CompletableFuture<T> result = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    result.complete(work.get());
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
            return result;
        }

        /** Writes lines until {@code stop}, then closes the input; returns how many lines it wrote. */
        private static long write(Process process, int generation, AtomicBoolean stop) {
            long written = 0;
            try (OutputStream input = process.getOutputStream()) {
                StringBuilder chunk = new StringBuilder();
                while (!stop.get()) {
                    chunk.setLength(0);
                    for (int i = 0; i < LINES_PER_CHUNK; i++) {
                        chunk.append('g').append(generation).append(' ').append(written + i + 1).append('\n');
                    }
                    input.write(chunk.toString().getBytes(StandardCharsets.UTF_8));
                    input.flush();
                    written += LINES_PER_CHUNK;
                    Thread.sleep(2);
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("pub g" + generation + " stopped reading its input after "
                    + written + " lines", e);
            }
            return written;
        }

        Ended await() throws Exception {
            long lines = writer.get(60, TimeUnit.SECONDS);
            int status = Cli.await(process, 60);
            return new Ended(generation, lines, status, errors.get(60, TimeUnit.SECONDS));
        }
    }
}
