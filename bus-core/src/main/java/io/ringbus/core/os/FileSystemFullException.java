package io.ringbus.core.os;

import java.nio.file.Path;

/**
 * The file system holding a shared file has no room for it (ENOSPC, or EDQUOT for a quota).
 * Nothing is left behind: the partial file was removed. Free space, give the file system more (a
 * bigger /dev/shm; Docker's --shm-size), or ask for a smaller topic.
 */
public class FileSystemFullException extends SharedFileException {
    /** A failure on {@code path} with the system error number, or 0 for a failed ringbus check. */
    public FileSystemFullException(String message, Path path, int errno) {
        super(message, path, errno);
    }
}
