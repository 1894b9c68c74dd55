package io.ringbus.core.os;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The system's reason for a failed {@code java.nio.file} call, for messages. The JDK turns the common
 * errors into exception types whose message is only the path ({@code AccessDeniedException: /x}); this
 * gives back the errno text ("Permission denied") that a message should carry beside the path.
 */
public final class IoErrors {
    private IoErrors() {
    }

    /** The errno text of {@code e} ("Permission denied", "No space left on device", ...), never only a path. */
    public static String reason(IOException e) {
        return switch (e) {
            case AccessDeniedException denied -> "Permission denied";
            case NoSuchFileException missing -> missing.getFile() != null
                && fileOnTheWay(Path.of(missing.getFile())) != null ? "Not a directory" : "No such file or directory";
            case FileAlreadyExistsException exists -> "File exists";
            case NotDirectoryException notDirectory -> "Not a directory";
            case DirectoryNotEmptyException notEmpty -> "Directory not empty";
            case FileSystemException other -> other.getReason() != null ? other.getReason()
                : other.getClass().getSimpleName(); // its message would be only the path
            default -> e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage()
                : e.getClass().getSimpleName();
        };
    }

    /**
     * For a path the JDK reports missing ({@code NoSuchFileException}, which it also throws for ENOTDIR):
     * the nearest existing path above it when that is not a directory (a file where a directory should
     * be), else null (the path is simply missing).
     */
    public static Path fileOnTheWay(Path path) {
        for (Path above = path.toAbsolutePath().getParent(); above != null; above = above.getParent()) {
            if (Files.exists(above, LinkOption.NOFOLLOW_LINKS)) {
                return Files.isDirectory(above) ? null : above;
            }
        }
        return null;
    }

    /**
     * What to do about {@code e}, a failure on {@code path}: one or two sentences, ending with a period,
     * in the terms of {@link Failures} (which says the same for the calls ringbus makes itself).
     */
    public static String advice(IOException e, Path path) {
        String reason = reason(e);
        Path parent = path.toAbsolutePath().getParent();
        if (isAccessDenied(e)) {
            return "Check the owner and mode of " + path + " and of the directories above it (ls -ld), or run as"
                + " the user who owns them.";
        }
        if (reason.startsWith("No space left") || reason.startsWith("Disk quota exceeded")) {
            return "Free space on its file system (df " + (parent != null ? parent : path) + "), or use one with"
                + " room.";
        }
        if (reason.startsWith("Read-only file system")) {
            return "Its file system is read-only: choose a writable place.";
        }
        if (e instanceof NotDirectoryException || reason.startsWith("Not a directory")) {
            Path file = fileOnTheWay(path);
            return "Check the path: " + (file != null ? file + " is a file" : "a file stands") + " where a directory"
                + " should be.";
        }
        if (e instanceof NoSuchFileException) {
            return "Check the path: a directory along it is missing.";
        }
        return "Check the path and the system log.";
    }

    /** Whether {@code e} is a refusal of access (EACCES, EPERM), which the owner and modes of the path explain. */
    public static boolean isAccessDenied(IOException e) {
        return e instanceof AccessDeniedException
            || e instanceof FileSystemException other && other.getReason() != null
            && other.getReason().startsWith("Operation not permitted");
    }
}
