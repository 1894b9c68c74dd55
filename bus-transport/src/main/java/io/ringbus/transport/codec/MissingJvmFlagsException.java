package io.ringbus.transport.codec;

import io.ringbus.core.RingBusException;

/**
 * A codec view cannot work in this JVM because it was started without a flag the view's library needs;
 * the message names the flag and where to add it. See {@link CodecFlags}.
 */
public final class MissingJvmFlagsException extends RingBusException {
    /** An error naming the missing flags, with the library's own failure (if any) as the cause. */
    public MissingJvmFlagsException(String message, Throwable cause) {
        super(message, cause);
    }
}
