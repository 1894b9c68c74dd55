package io.ringbus.core.os;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How many threads the kernel finds runnable right now, machine-wide (the fourth field of
 * {@code /proc/loadavg}, "running/total": the running count, the caller included), and so whether a processor
 * is idle. A waiter deciding whether to spin asks it: a spin pays only when the peer it waits for can run on
 * another processor.
 *
 * <p>One reader per thread that asks (it keeps a buffer): a positional read of a file kept open, about one
 * system call; nothing is allocated per call. Where {@code /proc/loadavg} cannot be read, {@link #runnable}
 * says -1 and the caller decides as if it had no answer.
 */
public final class RunnableThreads {
    private static final Path LOADAVG = Path.of("/proc/loadavg");
    private static final int FIELD = 3;
    private static final FileChannel CHANNEL = open();

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(128);

    /** Whether {@code /proc/loadavg} could be opened (Linux with /proc mounted). */
    public static boolean available() {
        return CHANNEL != null;
    }

    /** Runnable threads now, the caller included; -1 when unknown. */
    public int runnable() {
        if (CHANNEL == null) {
            return -1;
        }
        buffer.clear();
        try {
            if (CHANNEL.read(buffer, 0) <= 0) {
                return -1;
            }
        } catch (IOException e) {
            return -1;
        }
        int field = 0;
        int value = 0;
        for (int i = 0; i < buffer.position(); i++) {
            byte b = buffer.get(i);
            if (b == ' ') {
                field++;
            } else if (field == FIELD) {
                if (b == '/') {
                    return value;
                }
                value = value * 10 + (b - '0');
            }
        }
        return -1;
    }

    private static FileChannel open() {
        try {
            return FileChannel.open(LOADAVG, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }
}
