package io.ringbus.transport.stream;

import io.ringbus.transport.TransportException;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * A TCP connection encrypted with TLS, through the JDK's {@link SSLEngine}, over a {@link ByteStream}. The
 * handshake runs on the first use (or {@link #handshake}), waiting up to the handshake timeout; a peer that
 * does not speak TLS (a plaintext client) fails it, and the stream reads as ended.
 *
 * <p>Unlike other streams, {@link #write} waits until the TLS records holding the bytes it takes are all in
 * the socket (or the stream is closed): ciphertext cannot be handed back, and bytes left in this stream's
 * buffer would wait for a later write that may never come. One thread may read while another writes, as
 * {@code SSLEngine} allows wrapping and unwrapping at once.
 */
public final class TlsStream implements ByteStream {
    private final ByteStream inner;
    private final SSLEngine engine;
    private final long handshakeTimeoutNanos;
    private final Object readLock = new Object();
    private final Object writeLock = new Object();
    /** Ciphertext read, not yet unwrapped (write mode). */
    private ByteBuffer netIn;
    /** Plaintext unwrapped, not yet read (read mode). */
    private ByteBuffer appIn;
    /** Ciphertext wrapped, not yet written (read mode). */
    private final ByteBuffer netOut;
    private volatile boolean handshaken;
    private volatile boolean failed;
    private boolean inboundDone;
    /** The ciphertext in netIn is not a whole record, and nothing came since. */
    private boolean stalled;

    /**
     * Wraps {@code inner} (connected); {@code engine} is in client or server mode, as this side is.
     *
     * @param handshakeTimeoutNanos how long the handshake may take
     */
    public TlsStream(ByteStream inner, SSLEngine engine, long handshakeTimeoutNanos) {
        this.inner = inner;
        this.engine = engine;
        this.handshakeTimeoutNanos = handshakeTimeoutNanos;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packet);
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()).flip();
        this.netOut = ByteBuffer.allocate(packet).flip();
    }

    /** The stream under the encryption. */
    public ByteStream inner() {
        return inner;
    }

    /**
     * Runs the handshake now, if it has not run.
     *
     * @throws TransportException if it fails (the peer does not speak TLS, or is not trusted) or times out
     */
    public void handshake() {
        if (handshaken) {
            return;
        }
        synchronized (readLock) {
            synchronized (writeLock) {
                if (handshaken) {
                    return;
                }
                if (failed) {
                    throw new StreamClosedException("the TLS handshake with " + inner.describe() + " failed");
                }
                try {
                    runHandshake(System.nanoTime() + handshakeTimeoutNanos);
                } catch (SSLException e) {
                    failed = true;
                    throw new TransportException("TLS handshake with " + inner.describe() + " failed: "
                        + e.getMessage() + " (does the peer speak TLS, with a certificate this side trusts?)", e);
                } catch (RuntimeException e) {
                    failed = true;
                    throw e;
                }
                handshaken = true;
            }
        }
    }

    private void runHandshake(long deadline) throws SSLException {
        engine.beginHandshake();
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> {
                    netOut.compact();
                    SSLEngineResult result = engine.wrap(ByteBuffer.allocate(0), netOut);
                    netOut.flip();
                    flushAll(deadline);
                    if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLException("the peer closed during the handshake");
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    netIn.flip();
                    SSLEngineResult result = engine.unwrap(netIn, appIn.compact());
                    appIn.flip();
                    netIn.compact();
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        growNetIn();
                        int read = inner.read(netIn);
                        if (read < 0) {
                            throw new SSLException("the peer closed the connection during the handshake");
                        }
                        if (read == 0 && !inner.awaitReadable(left(deadline))) {
                            left(deadline);
                        }
                    } else if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLException("the peer closed during the handshake");
                    }
                }
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                }
                default -> {
                    return;
                }
            }
        }
    }

    private void growNetIn() {
        int packet = engine.getSession().getPacketBufferSize();
        if (netIn.capacity() < packet) {
            ByteBuffer larger = ByteBuffer.allocate(packet);
            larger.put(netIn.flip());
            netIn = larger;
        }
    }

    private long left(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new TransportException("TLS handshake with " + inner.describe() + " timed out");
        }
        return left;
    }

    @Override
    public int read(ByteBuffer destination) {
        handshakeOrEnd();
        synchronized (readLock) {
            while (true) {
                if (appIn.hasRemaining()) {
                    int count = Math.min(destination.remaining(), appIn.remaining());
                    int limit = appIn.limit();
                    destination.put(appIn.limit(appIn.position() + count));
                    appIn.limit(limit);
                    return count;
                }
                if (inboundDone) {
                    return -1;
                }
                SSLEngineResult result;
                try {
                    netIn.flip();
                    result = engine.unwrap(netIn, appIn.compact());
                    appIn.flip();
                    netIn.compact();
                } catch (SSLException e) {
                    failed = true;
                    throw new StreamClosedException("TLS from " + inner.describe() + " failed: " + e.getMessage(), e);
                }
                switch (result.getStatus()) {
                    case CLOSED -> inboundDone = true;
                    case BUFFER_OVERFLOW -> appIn = larger(appIn, engine.getSession().getApplicationBufferSize());
                    case BUFFER_UNDERFLOW -> {
                        growNetIn();
                        int read = inner.read(netIn);
                        if (read < 0) {
                            inboundDone = true;
                        } else if (read == 0) {
                            stalled = true;
                            return 0;
                        } else {
                            stalled = false;
                        }
                    }
                    default -> {
                        if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                            synchronized (writeLock) {
                                wrapAndFlush(ByteBuffer.allocate(0)); // a key update or the like answered
                            }
                        }
                    }
                }
            }
        }
    }

    private static ByteBuffer larger(ByteBuffer readMode, int size) {
        ByteBuffer larger = ByteBuffer.allocate(Math.max(size, readMode.capacity() * 2));
        larger.put(readMode);
        return larger.flip();
    }

    @Override
    public int write(ByteBuffer source) {
        handshakeOrEnd();
        if (failed) {
            throw new StreamClosedException("TLS to " + inner.describe() + " failed");
        }
        synchronized (writeLock) {
            return wrapAndFlush(source);
        }
    }

    /** Wraps what a record takes of {@code source} and writes it all; returns the bytes taken. */
    private int wrapAndFlush(ByteBuffer source) {
        int before = source.remaining();
        do {
            netOut.compact();
            SSLEngineResult result;
            try {
                result = engine.wrap(source, netOut);
            } catch (SSLException e) {
                failed = true;
                netOut.flip();
                throw new StreamClosedException("TLS to " + inner.describe() + " failed: " + e.getMessage(), e);
            }
            netOut.flip();
            if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new StreamClosedException("TLS to " + inner.describe() + " is closed");
            }
            flushAll(Long.MAX_VALUE);
        } while (source.hasRemaining());
        return before - source.remaining();
    }

    /** Writes {@link #netOut} whole, waiting for room (deadline Long.MAX_VALUE: until written or closed). */
    private void flushAll(long deadline) {
        while (netOut.hasRemaining()) {
            if (inner.write(netOut) == 0) {
                long left = deadline == Long.MAX_VALUE ? 100_000_000L : left(deadline);
                inner.awaitWritable(Math.min(left, 100_000_000L));
            }
        }
    }

    /** Runs the handshake if needed; a failed one reads as the end of the stream (logged by the caller). */
    private void handshakeOrEnd() {
        if (!handshaken) {
            handshake();
        }
    }

    @Override
    public boolean awaitReadable(long timeoutNanos) {
        if (!handshaken) {
            handshake();
            return true;
        }
        synchronized (readLock) {
            if (appIn.hasRemaining() || inboundDone || (netIn.position() > 0 && !stalled)) {
                return true; // a record may be whole already: read() says
            }
        }
        return inner.awaitReadable(timeoutNanos);
    }

    @Override
    public boolean awaitWritable(long timeoutNanos) {
        return inner.awaitWritable(timeoutNanos);
    }

    @Override
    public boolean peerClosed() {
        return inner.peerClosed();
    }

    @Override
    public String describe() {
        return inner.describe() + " (TLS)";
    }

    /**
     * Closes the connection without a TLS close_notify: close may come from another thread while a writer
     * waits, and the frames carry their own lengths, so a cut stream is told from a whole one without it.
     */
    @Override
    public void close() {
        inner.close();
    }
}
