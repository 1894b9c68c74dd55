package io.ringbus.transport.record;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Checks on the directory recordings go to, each failure a {@link RecordingException} that says what to do. */
final class RecordingDirectories {
    private RecordingDirectories() {
    }

    /**
     * Makes sure {@code root} and the topic's {@code directory} in it exist and are writable directories.
     *
     * @throws RecordingException when one is a file, cannot be created, or is not writable
     */
    static void prepare(Path root, Path directory) {
        for (Path path : new Path[] {root, directory}) {
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(path)) {
                throw new RecordingException(path + " is not a directory: give --to a directory (it is created if"
                    + " missing)");
            }
            try {
                Files.createDirectories(path);
            } catch (IOException e) {
                throw new RecordingException("cannot create the recording directory " + path + ": " + e
                    + " (give --to a directory you can write)", e);
            }
            if (!Files.isWritable(path)) {
                throw new RecordingException("cannot write in " + path + ": give --to a directory you can write");
            }
        }
    }

    /**
     * The file store of {@code directory}, for {@link #requireFree} checks.
     *
     * @throws RecordingException when it cannot be found
     */
    static FileStore store(Path directory) {
        try {
            return Files.getFileStore(directory);
        } catch (IOException e) {
            throw new RecordingException("cannot find the file system of " + directory + ": " + e, e);
        }
    }

    /**
     * Fails when {@code store} has fewer than {@code minimum} bytes free: the recorder stops before Chronicle
     * Queue would map a page the file system cannot give (on tmpfs that is a SIGBUS, not an error).
     *
     * @throws RecordingException naming the free space and what to do
     */
    static void requireFree(FileStore store, Path directory, long minimum) {
        long usable;
        try {
            usable = store.getUsableSpace();
        } catch (IOException e) {
            throw new RecordingException("cannot read the free space of " + directory + ": " + e, e);
        }
        if (usable < minimum) {
            throw new RecordingException("the file system of " + directory + " is full: " + usable / (1 << 20)
                + " MiB free, less than --min-free " + minimum / (1 << 20) + " MiB. The recording is whole up to"
                + " its last entry and a restart resumes after it: free some space (or record --to another"
                + " directory), then run bus record again");
        }
    }
}
