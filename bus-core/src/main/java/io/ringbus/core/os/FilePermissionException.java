package io.ringbus.core.os;

import java.nio.file.Path;

/**
 * A shared file or directory is owned by another user or has other permission bits than ringbus
 * sets, or the system refused access (EACCES, EPERM). ringbus never uses such a file: another
 * user could read or change its memory.
 */
public class FilePermissionException extends SharedFileException {
    /** A failure on {@code path} with the system error number, or 0 for a failed ringbus check. */
    public FilePermissionException(String message, Path path, int errno) {
        super(message, path, errno);
    }
}
