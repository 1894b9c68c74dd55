package io.ringbus.examples.bench.transport;

import io.ringbus.examples.bench.child.SpinGuard;
import io.ringbus.transport.TransportUri;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A duplex byte channel between two raw peers of {@code bus bench transport}: what an application
 * would use without ringbus, a JDK socket channel ({@link RawSocketChannel}: {@code unix:},
 * {@code tcp://}), a pair of pipes ({@link RawPipeChannel}: {@code fifo:DIR}) or a pair of POSIX
 * message queues ({@link RawMqChannel}: {@code mq:/NAME}). One side
 * {@link #accept}s (binds or makes the FIFOs, replies {@code LISTENING <uri>}, then waits for the
 * other), the other {@link #connect}s to that URI.
 *
 * <p>Waiting is the {@link TransportWait}'s: blocking calls wait in the kernel; spinning ones return
 * at once and the caller spins. A peer that closed is an error: a raw run has exactly one peer.
 */
interface RawChannel extends AutoCloseable {
    /** Reads what is there: 0 when nothing is (spinning), at least one byte when blocking. */
    int read(ByteBuffer buffer);

    /** Writes all of {@code buffer}. */
    void writeFully(ByteBuffer buffer, SpinGuard guard);

    /** Reads until {@code buffer} is full. */
    default void readFully(ByteBuffer buffer, SpinGuard guard) {
        while (buffer.hasRemaining()) {
            if (read(buffer) == 0) {
                guard.spin();
            }
        }
    }

    @Override
    void close();

    /** Binds or makes {@code uri}, replies {@code LISTENING}, and waits for the peer to connect. */
    static RawChannel accept(String uri, TransportWait wait) throws IOException {
        if (TransportUri.parse(uri).kind() == TransportUri.Kind.MQ) {
            return RawMqChannel.accept(uri, wait);
        }
        return TransportUri.parse(uri).kind() == TransportUri.Kind.FIFO ? RawPipeChannel.accept(uri, wait)
            : RawSocketChannel.accept(uri, wait);
    }

    /** Connects to the URI a peer replied with {@code LISTENING}. */
    static RawChannel connect(String uri, TransportWait wait) throws IOException {
        if (TransportUri.parse(uri).kind() == TransportUri.Kind.MQ) {
            return RawMqChannel.connect(uri, wait);
        }
        return TransportUri.parse(uri).kind() == TransportUri.Kind.FIFO ? RawPipeChannel.connect(uri, wait)
            : RawSocketChannel.connect(uri, wait);
    }

    /** Closes, ignoring failures: the process ends anyway. */
    static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ignored) {
            // released with the process
        }
    }
}
