package io.ringbus.core.os;

import java.nio.file.Path;

/**
 * A shared file is smaller than its content needs: its creator died before reserving it, or
 * someone truncated it. Remove it and create it again.
 */
public class FileTruncatedException extends SharedFileException {
    /** A failure on {@code path} with the system error number, or 0 for a failed ringbus check. */
    public FileTruncatedException(String message, Path path, int errno) {
        super(message, path, errno);
    }
}
