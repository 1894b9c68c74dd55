package io.ringbus.stress.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * The faults that run as episodes of their own, beside the main topic: hostile peers, a full file
 * system, the {@code bus} CLI's pub and sub (on shm whatever the run's path: they are the CLI's own).
 */
final class Episodes {
    private final Launcher launcher;
    private final Path busDir;
    private final int capacity;
    private final Tallies tallies;
    private final Findings findings;
    private final SplittableRandom random;
    private final String cliMain;
    private final Duration hangLimit;
    private final EventLog log;
    private int cliEpisodes;
    private int cliSubs;
    private int cliTruncates;

    Episodes(Launcher launcher, Path busDir, StressOptions options, Tallies tallies, Findings findings,
        EventLog log) {
        this.launcher = launcher;
        this.busDir = busDir;
        this.capacity = options.capacity();
        this.tallies = tallies;
        this.findings = findings;
        this.random = new SplittableRandom(options.seed() + 1);
        this.cliMain = options.cli();
        this.hangLimit = options.hangLimit();
        this.log = log;
    }

    /** The CLI's pub and sub, checked from their output files. */
    void cliSub() {
        try {
            new CliSubEpisode(launcher.shm(), busDir, cliMain, hangLimit, tallies, findings, log, random.nextLong(),
                ++cliEpisodes, ++cliSubs == 1).run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A truncation under the CLI's pub and sub. */
    void cliTruncate() {
        try {
            new CliTruncateEpisode(launcher.shm(), busDir, cliMain, tallies, findings, log, random.nextLong(),
                ++cliEpisodes, ++cliTruncates).run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A truncation or a scribbling of the victim topic. */
    void hostile(FaultKind kind) {
        new HostileEpisode(launcher, busDir, capacity, tallies, findings, random.nextLong()).run(kind);
    }

    /** Creating a topic on a full tmpfs. */
    void fullFileSystem() {
        try {
            new FullFileSystemEpisode(launcher, tallies, findings, random.nextLong()).run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
