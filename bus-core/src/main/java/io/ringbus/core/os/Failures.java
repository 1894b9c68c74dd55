package io.ringbus.core.os;

import java.nio.file.Path;

/**
 * Turns a failed system call on a path into the typed exception for it, with a message of the form
 * "Cannot {action} {path}: {errno text} ({ERRNO}). {what to do}".
 */
final class Failures {
    private Failures() {
    }

    /** What to do when a path, or a directory above it, does not exist. */
    private static String missingHint(String action, Path path) {
        if (action.equals("create directory")) {
            // mkdir makes the last directory only, as ringbus means to: it never makes a path others could own.
            return "A directory above it is missing: create it (mkdir -p " + path.getParent()
                + ") or choose another path.";
        }
        return "Check the path: the file, or a directory above it, does not exist (a topic must be created before it"
            + " is opened).";
    }

    static SharedFileException of(String action, Path path, int errno) {
        String head = "Cannot " + action + " " + path + ": " + Errno.describe(errno) + ". ";
        return switch (errno) {
            case Errno.ENOENT -> new FileMissingException(head + missingHint(action, path), path, errno);
            case Errno.EEXIST -> new FileExistsException(head
                + "Another process created it first, or a stale file is left from an earlier run: open it instead,"
                + " or remove it if no process uses it.", path, errno);
            case Errno.ELOOP -> new FileTypeException(head
                + "The path is a symbolic link, which ringbus never follows for its files (someone may be trying to"
                + " redirect it): remove the link.", path, errno);
            case Errno.EISDIR, Errno.ENOTDIR -> new FileTypeException(head
                + "Check the path: a directory and a file are swapped somewhere along it.", path, errno);
            case Errno.ENXIO, Errno.ENODEV -> new FileTypeException(head
                + "The path is a FIFO, socket or device, not a shared file: remove it.", path, errno);
            case Errno.EACCES, Errno.EPERM -> new FilePermissionException(head
                + "Check the owner and mode of the path and of its directories (ls -ld); run as the user who owns"
                + " them, or choose a directory of your own.", path, errno);
            case Errno.ENOSPC, Errno.EDQUOT -> new FileSystemFullException(head
                + "Free space (remove stale topics), or make the file system bigger: a larger /dev/shm"
                + " (mount -o remount,size=...), or Docker's --shm-size.", path, errno);
            case Errno.EROFS -> new SharedFileException(head
                + "The file system is read-only: choose a writable directory.", path, errno);
            case Errno.EMFILE, Errno.ENFILE -> new SharedFileException(head
                + "Too many open files: close unused topics or raise the limit (ulimit -n).", path, errno);
            default -> new SharedFileException(head
                + "This is a system error ringbus cannot fix; check the path and the system log.", path, errno);
        };
    }

    /** A failed call on descriptors rather than a path (pipe2, eventfd, dup): "Cannot {action}: ...". */
    static SharedFileException ofDescriptor(String action, int errno) {
        String head = "Cannot " + action + ": " + Errno.describe(errno) + ". ";
        return switch (errno) {
            case Errno.EMFILE, Errno.ENFILE -> new SharedFileException(head
                + "Too many open files: close unused streams and topics, or raise the limit (ulimit -n).", null, errno);
            default -> new SharedFileException(head
                + "This is a system error ringbus cannot fix; check the system log.", null, errno);
        };
    }

    static String octal(int mode) {
        return "0" + Integer.toOctalString(mode);
    }
}
