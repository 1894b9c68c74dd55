package io.ringbus.examples.cli;

import io.ringbus.core.RingBusException;
import io.ringbus.core.os.IoErrors;
import io.ringbus.core.os.SharedFiles;
import io.ringbus.core.topic.TopicFile;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The files of a bus directory, for the tools that look at it without joining it (stat, clean). */
final class BusDirectory {
    private final Path directory;

    BusDirectory(Path directory) {
        this.directory = directory;
    }

    Path path() {
        return directory;
    }

    /**
     * Fails with one clear message when the directory is missing, not a directory, or out of reach (a
     * directory above it this user cannot enter): the path, the system's reason and what to do.
     */
    BusDirectory checkExists() {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(directory, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            if (IoErrors.fileOnTheWay(directory) == null) {
                throw new RingBusException(directory + " does not exist: no topic was ever made on this bus (--dir"
                    + " DIR or --bus NAME chooses another)", e);
            }
            throw new RingBusException("cannot read " + directory + ": " + IoErrors.reason(e) + ". " + advice(e), e);
        } catch (IOException e) {
            throw new RingBusException("cannot read " + directory + ": " + IoErrors.reason(e) + ". " + advice(e), e);
        }
        if (!attributes.isDirectory()) {
            throw new RingBusException(directory + " is not a directory");
        }
        return this;
    }

    /** What to do about a failure on the directory. */
    private String advice(IOException e) {
        if (IoErrors.isAccessDenied(e)) {
            return "A bus directory and the ones above it must let you in: check their owner and mode (ls -ld "
                + directory + " and its parents), run as the user who owns the bus, or choose your own with --dir"
                + " DIR or --bus NAME.";
        }
        return IoErrors.advice(e, directory);
    }

    /** Topic files ({@code *.topic}), sorted by name. */
    List<Path> topicFiles() {
        // Anything by a topic's name, links and other non-files too: opening one fails with the typed error that
        // says what it is (links are never followed), so stat and clean show it rather than leave the user to
        // wonder where the topic went.
        return list("*" + TopicFile.SUFFIX, false);
    }

    /** Temporary files of topics being created ({@code .creating-*}), sorted by name. */
    List<Path> temporaryFiles() {
        return list(TopicFile.TEMPORARY_PREFIX + "*", true);
    }

    private List<Path> list(String glob, boolean regularFilesOnly) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, glob)) {
            for (Path file : stream) {
                if (!regularFilesOnly || Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    files.add(file);
                }
            }
        } catch (IOException e) {
            throw new RingBusException("cannot list " + directory + ": " + IoErrors.reason(e) + ". " + advice(e), e);
        }
        files.sort(null);
        return files;
    }

    /** The topic name of a topic file. */
    static String topicName(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - TopicFile.SUFFIX.length());
    }

    /**
     * Maps an existing topic file without joining it, or returns null if it vanished. The mode expected
     * is the one it has when that is one ringbus creates (0600, or 0660 for a group topic).
     */
    static TopicFile open(Path file) {
        int mode = SharedFiles.FILE_MODE;
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (permissions.equals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE))) {
                mode = SharedFiles.GROUP_FILE_MODE;
            }
        } catch (IOException e) {
            // Opening reports what is wrong with the file.
            mode = SharedFiles.FILE_MODE;
        }
        return TopicFile.tryOpen(file, mode);
    }
}
