package io.ringbus.stress.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** The faults that run as episodes of their own, beside the main topic: hostile peers, a full file system. */
final class Episodes {
    private final Launcher launcher;
    private final Path busDir;
    private final int capacity;
    private final Tallies tallies;
    private final Findings findings;
    private final SplittableRandom random;

    Episodes(Launcher launcher, Path busDir, int capacity, Tallies tallies, Findings findings, long seed) {
        this.launcher = launcher;
        this.busDir = busDir;
        this.capacity = capacity;
        this.tallies = tallies;
        this.findings = findings;
        this.random = new SplittableRandom(seed);
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
