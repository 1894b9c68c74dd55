package io.ringbus.stress.process;

import io.ringbus.stress.common.JvmLauncher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Starts the stress child processes of a run, each with a fresh stats file in the run's work
 * directory, and waits for them to be ready. On a stream path each child connects to the bridge at
 * {@code uri}; on {@code pipe} it announces its FIFO pair ({@code PIPE NAME}, before {@code READY})
 * and {@code pipes} serves it. Every child it starts is kept in {@link #children()}, so that the run can
 * look at each one's standard error at the end (a stack trace there is a finding).
 */
final class Launcher {
    /** A JVM starts in well under a second alone; on two busy cores, give it much longer. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path workDir;
    private final Via via;
    private final AtomicInteger files;
    private final String uri;
    private final Consumer<String> pipes;
    private final List<ChildProcess> children;

    Launcher(Path workDir, Via via) {
        this(workDir, via, "shm:", null, new AtomicInteger(), new CopyOnWriteArrayList<>());
    }

    /** Children on {@code via}, reaching the bridge at {@code uri}; {@code pipes} serves a child's pipe pair. */
    Launcher(Path workDir, Via via, String uri, Consumer<String> pipes) {
        this(workDir, via, uri, pipes, new AtomicInteger(), new CopyOnWriteArrayList<>());
    }

    private Launcher(Path workDir, Via via, String uri, Consumer<String> pipes, AtomicInteger files,
        List<ChildProcess> children) {
        this.workDir = workDir;
        this.via = via;
        this.uri = uri;
        this.pipes = pipes;
        this.files = files;
        this.children = children;
    }

    /** The same work directory, with children on {@code shm} (for a bus the bridge does not serve). */
    Launcher shm() {
        return new Launcher(workDir, Via.SHM, "shm:", null, files, children);
    }

    /** Every child started so far, in order. */
    List<ChildProcess> children() {
        return List.copyOf(children);
    }

    private ChildProcess track(ChildProcess child) {
        children.add(child);
        return child;
    }

    Via via() {
        return via;
    }

    /** What the bridge is doing, for an error message (empty on shm). */
    String bridgeState() {
        return via.stream() ? StressBridge.sessionThreads() : "";
    }

    Path workDir() {
        return workDir;
    }

    /** A new, zeroed stats file for a child named {@code name}. */
    StatsFile newStats(String name, int kind, int id) {
        return StatsFile.create(workDir.resolve(name + "." + files.incrementAndGet() + ".stats"), kind, id);
    }

    /** What a topic looks like and where it is. */
    record Topic(Path busDir, String name, int capacity, int maxMessage, boolean singleProducer) {
        /** A many-producer topic. */
        Topic(Path busDir, String name, int capacity, int maxMessage) {
            this(busDir, name, capacity, maxMessage, false);
        }

        List<String> args() {
            List<String> args = new ArrayList<>(List.of("--dir", busDir.toString(), "--topic", name, "--capacity",
                Integer.toString(capacity), "--max-message", Integer.toString(maxMessage)));
            if (singleProducer) {
                args.addAll(List.of("--single-producer", "true"));
            }
            return args;
        }
    }

    /** Starts a publisher; returns once it is READY, or throws saying why not. */
    ChildProcess publisher(String name, Topic topic, StatsFile stats, String size, long quota, boolean waitGo,
        boolean crashPoints, long seed) {
        return publisher(name, topic, stats, size, quota, waitGo, crashPoints, seed, List.of());
    }

    /** The same, with {@code extra} arguments (the self-test's). */
    ChildProcess publisher(String name, Topic topic, StatsFile stats, String size, long quota, boolean waitGo,
        boolean crashPoints, long seed, List<String> extra) {
        List<String> args = new ArrayList<>(common(topic, stats));
        args.addAll(extra);
        args.addAll(List.of("--id", Integer.toString(stats.id()), "--size", size, "--quota", Long.toString(quota),
            "--wait-go", Boolean.toString(waitGo), "--seed", Long.toString(seed)));
        List<String> jvm = crashPoints ? List.of("-Dringbus.test.crashPoint=*") : List.of();
        return ready(track(ChildProcess.start(name, workDir, StressPublisherMain.class, jvm, args)));
    }

    /** Starts a subscriber; returns once it has joined (READY), or throws saying why not. */
    ChildProcess subscriber(String name, Topic topic, StatsFile stats, String durableName, String wakeup) {
        return subscriber(name, topic, stats, durableName, wakeup, List.of());
    }

    /** The same, with {@code extra} arguments (the self-test's). */
    ChildProcess subscriber(String name, Topic topic, StatsFile stats, String durableName, String wakeup,
        List<String> extra) {
        List<String> args = new ArrayList<>(common(topic, stats));
        args.addAll(extra);
        args.addAll(List.of("--wakeup", wakeup));
        if (durableName != null) {
            args.addAll(List.of("--durable", durableName));
        }
        return ready(track(ChildProcess.start(name, workDir, StressSubscriberMain.class, List.of(), args)));
    }

    /** Starts a busy process spinning on {@code threads} threads; returns once it is READY. */
    ChildProcess busy(String name, int threads) {
        return ready(track(ChildProcess.start(name, workDir, StressBusyMain.class, List.of(),
            List.of("--threads", Integer.toString(threads)))));
    }

    /**
     * Starts the {@code bus} CLI ({@code cliMain}, a class on this JVM's class path) with {@code args}, as
     * {@code ./bus} does (no other JVM options than the crash report's place), its standard output
     * appended to {@code output}, its standard input a pipe. Returns at once: the CLI prints no READY.
     */
    ChildProcess cli(String name, String cliMain, List<String> args, Path output) {
        List<String> command = new ArrayList<>(ChildProcess.java(workDir));
        command.add("-cp");
        command.add(JvmLauncher.classPath());
        command.add(cliMain);
        command.addAll(args);
        return track(ChildProcess.startCommand(name, workDir, command,
            ProcessBuilder.Redirect.appendTo(output.toFile())));
    }

    private List<String> common(Topic topic, StatsFile stats) {
        List<String> args = new ArrayList<>(List.of("--via", via.label(), "--uri", uri, "--pipe-dir",
            workDir.toString(), "--stats", stats.path().toString()));
        args.addAll(topic.args());
        return args;
    }

    private ChildProcess ready(ChildProcess child) {
        if (via == Via.PIPE) {
            String pipe = child.awaitLine(l -> l.startsWith("PIPE ") || l.startsWith("ERROR"), START_TIMEOUT);
            if (pipe != null && pipe.startsWith("PIPE ")) {
                try {
                    pipes.accept(pipe.substring("PIPE ".length()).trim());
                } catch (RuntimeException e) {
                    child.destroy();
                    throw new StressException(child.name() + ": cannot serve its pipe pair: " + e.getMessage(), e);
                }
            }
        }
        String line = child.awaitLine(l -> l.equals("READY") || l.startsWith("ERROR"), START_TIMEOUT);
        if (line == null || !line.equals("READY")) {
            child.destroy();
            throw new StressException(child.name() + " did not start: "
                + (line != null ? line : "no READY within " + START_TIMEOUT.toSeconds() + " s") + "\n  "
                + child.describe());
        }
        return child;
    }
}
