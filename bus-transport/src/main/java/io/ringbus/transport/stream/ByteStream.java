package io.ringbus.transport.stream;

import java.nio.ByteBuffer;

/**
 * One duplex byte stream: a connected socket, a pair of pipes or a pair of FIFOs. Every path of
 * bus-transport moves frames through this interface, so framing, flow control and the bridge are
 * written once.
 *
 * <p><b>Non-blocking.</b> {@link #read} and {@link #write} never block; {@link #awaitReadable} and
 * {@link #awaitWritable} wait with a timeout. A peer that went away shows as {@code -1} from
 * {@code read}, or as a {@link StreamClosedException} from {@code write} (EPIPE, ECONNRESET): never
 * as a signal (the JVM ignores SIGPIPE).
 *
 * <p><b>Threads.</b> One thread may read while another writes; two readers or two writers must
 * take turns. {@link #close()} may be called from any thread and wakes a waiting one.
 */
public interface ByteStream extends AutoCloseable {
    /**
     * Reads what is available into {@code destination}, without waiting.
     *
     * @return bytes read, 0 when none is available, -1 at end of stream (the peer closed or died)
     * @throws StreamClosedException when this stream was closed or failed
     */
    int read(ByteBuffer destination);

    /**
     * Writes what the stream accepts now from {@code source}, without waiting.
     *
     * @return bytes written, possibly 0 when the peer's window is full
     * @throws StreamClosedException when the peer went away or this stream was closed
     */
    int write(ByteBuffer source);

    /**
     * Waits until {@link #read} has something (bytes or end of stream), the timeout passes, or the
     * stream is closed.
     *
     * @return whether the stream became readable
     */
    boolean awaitReadable(long timeoutNanos);

    /**
     * Waits until {@link #write} can accept bytes, the timeout passes, or the stream is closed.
     *
     * @return whether the stream became writable
     */
    boolean awaitWritable(long timeoutNanos);

    /**
     * Whether the peer has closed its sending side (or died), even while bytes it sent are still
     * unread: a check that neither waits nor loses a byte, for a reader that cannot take more bytes now
     * (its buffer is full) and must still learn that nobody will send again. {@link #read} still
     * delivers every byte sent, then -1. Called by the reading thread only.
     *
     * @return true once the peer closed; false while it is connected, or when the stream cannot tell
     *     without reading past {@link #PEER_CLOSED_READ_AHEAD} bytes
     */
    boolean peerClosed();

    /**
     * How many unread bytes a stream may hold in its own memory to answer {@link #peerClosed} when the
     * operating system cannot say it without reading (a socket): more than a pipe holds (1 MiB at most),
     * more than a Unix socket's default send buffer (208 KiB) and loopback TCP's largest default receive
     * window (6 MiB).
     */
    int PEER_CLOSED_READ_AHEAD = 8 * 1024 * 1024;

    /** Who is on the other end, for logs ("unix:/run/bus.sock peer pid 42", "pipe fd 5/6"). */
    String describe();

    /** Closes both directions; a waiting thread returns. Idempotent. */
    @Override
    void close();
}
