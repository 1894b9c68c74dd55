package io.ringbus.core.process;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What every cross-process test needs: a unique scratch directory under /dev/shm holding the bus
 * directory, the child JVMs started for the test, and a {@link #close()} that kills every child,
 * checks that none crashed (no hs_err file), and deletes the directory.
 */
final class ProcessFixture implements AutoCloseable {
    private final Path root;
    private final Path busDir;
    private final List<ChildJvm> children = new ArrayList<>();

    ProcessFixture() {
        try {
            root = Files.createTempDirectory(Path.of("/dev/shm"), "ringbus-proctest-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        busDir = root.resolve("bus");
    }

    /** The scratch directory (children's working directory). */
    Path root() {
        return root;
    }

    /** The bus directory (created by the first bus opened in it). */
    Path busDir() {
        return busDir;
    }

    /** Path of topic {@code name}'s file. */
    Path topicPath(String name) {
        return busDir.resolve(name + ".topic");
    }

    /** Starts a child JVM running {@code main} with {@code args}. */
    ChildJvm start(String name, Class<?> main, String... args) {
        return start(name, main, List.of(), args);
    }

    /** Starts a child JVM running {@code main} with JVM options and {@code args}. */
    ChildJvm start(String name, Class<?> main, List<String> jvmOptions, String... args) {
        ChildJvm child = ChildJvm.start(name, root, main, jvmOptions, Arrays.asList(args));
        synchronized (children) {
            children.add(child);
        }
        return child;
    }

    /** hs_err files left by crashed child JVMs. */
    List<Path> crashReports() {
        try (Stream<Path> files = Files.list(root)) {
            return files.filter(p -> p.getFileName().toString().startsWith("hs_err")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything the children printed, for failure messages. */
    String describeChildren() {
        StringBuilder text = new StringBuilder();
        synchronized (children) {
            for (ChildJvm child : children) {
                text.append(child.describe());
            }
        }
        return text.toString();
    }

    @Override
    public void close() {
        List<ChildJvm> started;
        synchronized (children) {
            started = new ArrayList<>(children);
            children.clear();
        }
        started.forEach(ChildJvm::close);
        List<Path> crashes = crashReports();
        StringBuilder reports = new StringBuilder();
        for (Path crash : crashes) {
            try (Stream<String> lines = Files.lines(crash)) {
                reports.append("--- ").append(crash).append(" (head and Java frames)\n");
                int[] index = {0};
                lines.forEach(line -> {
                    if (index[0]++ < 20 || line.startsWith("j ") || line.startsWith("J ")) {
                        reports.append(line).append('\n');
                    }
                });
            } catch (IOException | UncheckedIOException e) {
                reports.append("(unreadable: ").append(e).append(")\n");
            }
        }
        deleteTree(root);
        if (!crashes.isEmpty()) {
            fail("child JVMs crashed:\n" + reports);
        }
    }

    /** Deletes a tree without following symbolic links. */
    static void deleteTree(Path top) {
        if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(top)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
