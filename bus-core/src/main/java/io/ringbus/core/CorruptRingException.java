package io.ringbus.core;

/**
 * The shared memory of a ring holds something its own writers could not have written: a bad magic
 * number or layout, a record whose length or offset is out of range, a header that does not fit
 * the segment. Another process (buggy or hostile) wrote it. Nothing out of range was read and no
 * record past the corruption was delivered; the ring should be removed and recreated.
 */
public class CorruptRingException extends RingBusException {
    /** A corruption report naming what was found where. */
    public CorruptRingException(String message) {
        super(message);
    }

    /** A corruption found through a lower-level fault, such as a truncated mapping. */
    public CorruptRingException(String message, Throwable cause) {
        super(message, cause);
    }
}
