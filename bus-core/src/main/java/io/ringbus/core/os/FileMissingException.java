package io.ringbus.core.os;

import java.nio.file.Path;

/**
 * The shared file, or the directory that should hold it, does not exist (ENOENT).
 */
public class FileMissingException extends SharedFileException {
    /** A failure on {@code path} with the system error number, or 0 for a failed ringbus check. */
    public FileMissingException(String message, Path path, int errno) {
        super(message, path, errno);
    }
}
