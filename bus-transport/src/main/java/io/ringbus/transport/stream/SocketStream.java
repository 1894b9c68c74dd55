package io.ringbus.transport.stream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connected Unix or TCP socket as a {@link ByteStream}: the channel in non-blocking mode, with one
 * selector for waiting to read and another for waiting to write, so a reading thread and a writing
 * thread never share one. The selectors (two descriptors each) are opened on the first wait: a bridge's
 * event loop waits for thousands of sockets in its own selector and never opens them.
 */
public final class SocketStream implements ByteStream {
    private static final java.util.function.Consumer<SelectionKey> IGNORE_KEY = key -> { };

    private final SocketChannel channel;
    private final String description;
    /** Opened by the first awaitReadable (the reading thread), closed by close(). */
    private volatile Selector readSelector;
    /** Opened by the first awaitWritable (the writing thread), closed by close(). */
    private volatile Selector writeSelector;
    private final AtomicBoolean closed = new AtomicBoolean();
    /*
     * Bytes read from the socket by peerClosed() and not yet handed out by read(), in read mode
     * (position..limit unread); null until peerClosed() first needs it. Java's channels cannot report a
     * peer's shutdown without reading, so the reading thread reads ahead into this buffer instead.
     */
    private ByteBuffer readAhead;
    /** Whether the read-ahead met the end of the stream (the reading thread only). */
    private boolean endSeen;

    /** Wraps a connected channel, switching it to non-blocking mode. */
    public SocketStream(SocketChannel channel, String description) {
        this.channel = channel;
        this.description = description;
        try {
            channel.configureBlocking(false);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StreamClosedException("cannot set up " + description + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int read(ByteBuffer destination) {
        if (readAhead != null && readAhead.hasRemaining()) {
            int count = Math.min(destination.remaining(), readAhead.remaining());
            int limit = readAhead.limit();
            destination.put(readAhead.limit(readAhead.position() + count));
            readAhead.limit(limit);
            return count;
        }
        if (endSeen) {
            return -1;
        }
        return readChannel(destination);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A socket channel tells a peer's shutdown only by a read returning -1, so this reads what has
     * arrived into a buffer of its own (growing to {@link #PEER_CLOSED_READ_AHEAD} at most), which
     * {@link #read} hands out before anything newer.
     */
    @Override
    public boolean peerClosed() {
        if (endSeen || closed.get()) {
            return true;
        }
        if (readAhead == null) {
            readAhead = ByteBuffer.allocate(64 * 1024).flip();
        }
        while (true) {
            if (readAhead.limit() == readAhead.capacity() && readAhead.position() == 0) {
                if (readAhead.capacity() >= PEER_CLOSED_READ_AHEAD) {
                    return false; // cannot tell without holding more than the bound
                }
                ByteBuffer larger = ByteBuffer.allocate(Math.min(PEER_CLOSED_READ_AHEAD, readAhead.capacity() * 2));
                readAhead = larger.put(readAhead).flip();
            }
            readAhead.compact();
            int read = readChannel(readAhead);
            readAhead.flip();
            if (read < 0) {
                endSeen = true;
                return true;
            }
            if (read == 0) {
                return false;
            }
        }
    }

    private int readChannel(ByteBuffer destination) {
        try {
            return channel.read(destination);
        } catch (ClosedChannelException e) {
            throw new StreamClosedException(description + " is closed", e);
        } catch (IOException e) {
            // ECONNRESET and friends: the peer is gone, as at end of stream.
            return -1;
        }
    }

    @Override
    public int write(ByteBuffer source) {
        try {
            return channel.write(source);
        } catch (IOException e) {
            throw new StreamClosedException(description + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean awaitReadable(long timeoutNanos) {
        Selector selector = readSelector;
        if (selector == null) {
            selector = readSelector = openSelector(SelectionKey.OP_READ);
            if (closed.get()) {
                closeSelector(selector); // close() ran meanwhile and may have missed it
                return false;
            }
        }
        return selector != null && await(selector, true, timeoutNanos);
    }

    @Override
    public boolean awaitWritable(long timeoutNanos) {
        Selector selector = writeSelector;
        if (selector == null) {
            selector = writeSelector = openSelector(SelectionKey.OP_WRITE);
            if (closed.get()) {
                closeSelector(selector); // close() ran meanwhile and may have missed it
                return false;
            }
        }
        return selector != null && await(selector, false, timeoutNanos);
    }

    /** A selector for one direction; null once the stream is closed. */
    private Selector openSelector(int ops) {
        if (closed.get()) {
            return null;
        }
        Selector selector;
        try {
            selector = Selector.open();
            channel.register(selector, ops);
        } catch (ClosedChannelException e) {
            return null;
        } catch (IOException e) {
            throw new StreamClosedException("cannot wait on " + description + ": " + e.getMessage(), e);
        }
        return selector;
    }

    /** The channel, for an event loop that registers it in a selector of its own. */
    public SocketChannel channel() {
        return channel;
    }

    private boolean await(Selector selector, boolean reading, long timeoutNanos) {
        if (closed.get()) {
            return false;
        }
        if (reading && (endSeen || readAhead != null && readAhead.hasRemaining())) {
            return true; // what peerClosed() read ahead is readable now
        }
        try {
            // The forms taking an action leave the selected-key set alone: no allocation per wait.
            int ready;
            if (timeoutNanos <= 0) {
                ready = selector.selectNow(IGNORE_KEY);
            } else {
                long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
                ready = selector.select(IGNORE_KEY, millis);
            }
            return ready > 0 && !closed.get();
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            return false;
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(channel);
        closeSelector(readSelector);
        closeSelector(writeSelector);
    }

    private static void closeSelector(Selector selector) {
        if (selector != null) {
            selector.wakeup();
            closeQuietly(selector);
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Closing releases the descriptor even when it reports an error.
        }
    }
}
