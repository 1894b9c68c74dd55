package io.ringbus.core.os;

import io.ringbus.core.RingBusException;

import java.nio.file.Path;

/**
 * A shared file or its directory could not be created, opened, checked or mapped. The message names
 * the path, the system's error text where there is one, and what to do. Subclasses name the causes a
 * program may want to handle; this class itself covers the rest (I/O errors, descriptor limits, ...).
 */
public class SharedFileException extends RingBusException {
    private final transient Path path;
    private final int errno;

    /**
     * A failure on {@code path}.
     *
     * @param message what failed, why and what to do
     * @param path    the file or directory concerned, or null for a failure on descriptors (a pipe)
     * @param errno   the system error number, or 0 when the failure is a check ringbus made
     */
    public SharedFileException(String message, Path path, int errno) {
        super(message);
        this.path = path;
        this.errno = errno;
    }

    /** The file or directory concerned, or null when the failure was on descriptors (a pipe, an eventfd). */
    public Path path() {
        return path;
    }

    /** The system error number (such as 28 for ENOSPC), or 0 when a ringbus check failed. */
    public int errno() {
        return errno;
    }
}
