package io.ringbus.stress.process;

import io.ringbus.core.BusContext;
import io.ringbus.transport.BusClient;
import io.ringbus.transport.BusClients;
import io.ringbus.transport.TransportContext;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The path the stress processes take to the bus. Every child gets its publisher or subscriber from
 * {@link BusClients#open}, so a path is one URI away; only {@code shm} exists today (the stream paths
 * need the bridge that bus-transport is getting).
 */
public enum Via {
    /** The shared-memory bus itself. */
    SHM,
    /** Inherited pipes to a bridge. */
    PIPE,
    /** Named pipes in a bridge's directory. */
    FIFO,
    /** A Unix socket served by a bridge. */
    UNIX,
    /** A loopback TCP socket served by a bridge. */
    TCP;

    /** The lower-case name used on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the harness can run over this path yet. */
    public boolean available() {
        return this == SHM;
    }

    /** Parses {@code shm}, {@code pipe}, ... (any case). */
    public static Via parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--via '" + text + "' must be one of shm, pipe, fifo, unix, tcp");
        }
    }

    /** Fails with a clear message for a path that is not there yet. */
    public void checkAvailable() {
        if (!available()) {
            throw new IllegalArgumentException("--via " + label() + " is not available yet: only shm exists today"
                + " (the pipe, fifo, unix and tcp paths are being written in bus-transport); use --via shm");
        }
    }

    /** A client of the bus in {@code directory} over this path. */
    BusClient open(Path directory) {
        checkAvailable();
        TransportContext context = new TransportContext()
            .uri(label() + ":")
            .busContext(new BusContext().directory(directory));
        return BusClients.open(context);
    }
}
