package io.ringbus.core.os;

import java.nio.file.Path;

/**
 * A file (or a symbolic link) is already at the path given to create a shared file exclusively
 * (EEXIST). Open it instead, or remove it if it is stale.
 */
public class FileExistsException extends SharedFileException {
    /** A failure on {@code path} with the system error number, or 0 for a failed ringbus check. */
    public FileExistsException(String message, Path path, int errno) {
        super(message, path, errno);
    }
}
