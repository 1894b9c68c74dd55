package io.ringbus.core.os;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Helpers for the OS tests: unique scratch directories, umask, modes and owners. */
final class OsTestSupport {
    /** The uid and gid of "nobody" on Debian: another user than root, who runs the tests. */
    static final int NOBODY = 65534;

    private OsTestSupport() {
    }

    /** A new empty directory with a unique name under {@code parent} (such as /dev/shm or /tmp). */
    static Path newDirectory(String parent) {
        try {
            return Files.createTempDirectory(Path.of(parent), "ringbus-os-test-" + ProcessHandle.current().pid() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a tree without following any symbolic link in it. */
    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code body} with the process umask set to {@code mask}, then restores the old one. */
    static <T> T withUmask(int mask, java.util.function.Supplier<T> body) {
        int old = PosixBindings.umask(mask);
        try {
            return body.get();
        } finally {
            PosixBindings.umask(old);
        }
    }

    /** The permission bits of a path, not following a link ({@code mode & 07777}). */
    static int permissions(Path path) {
        return attribute(path, "unix:mode") & 07777;
    }

    static int attribute(Path path, String name) {
        try {
            return (Integer) Files.getAttribute(path, name, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void chown(Path path, int uid, int gid) {
        try {
            Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void chmod(Path path, int mode) {
        try {
            Files.setAttribute(path, "unix:mode", mode);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
