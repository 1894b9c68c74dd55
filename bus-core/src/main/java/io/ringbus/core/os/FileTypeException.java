package io.ringbus.core.os;

import java.nio.file.Path;

/**
 * The path names something other than what ringbus expects: a symbolic link (never followed), a
 * directory where a file belongs, a FIFO, a device or a socket.
 */
public class FileTypeException extends SharedFileException {
    /** A failure on {@code path} with the system error number, or 0 for a failed ringbus check. */
    public FileTypeException(String message, Path path, int errno) {
        super(message, path, errno);
    }
}
