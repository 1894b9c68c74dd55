package io.ringbus.examples.cli;

import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.RingBusException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * Splits a byte stream at '\n' and offers each line as one message (its bytes, without the newline;
 * a last line without one counts too), retrying while back-pressured or while a stream path is
 * reconnecting: a line is never dropped. Offers and {@link #stop()} hold the same lock, so the
 * publisher is never closed in the middle of an offer.
 */
final class LinePublisher {
    private final Publisher publisher;
    private final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
    private volatile boolean stopping;
    private byte[] pending = new byte[256];
    private int pendingLength;
    private long lineNumber;

    LinePublisher(Publisher publisher) {
        this.publisher = publisher;
    }

    /** Stops publishing and closes the publisher: waits for an offer under way (not for a read). */
    void stop() {
        stopping = true;
        synchronized (this) {
            publisher.close();
        }
    }

    /** Lines published so far. */
    synchronized long published() {
        return lineNumber;
    }

    /** Publishes every line of {@code input} until its end, or until {@link #stop()}. */
    void publishAll(InputStream input) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        int read;
        while (!stopping && (read = input.read(chunk)) >= 0) {
            int lineStart = 0;
            for (int i = 0; i < read; i++) {
                if (chunk[i] == '\n') {
                    boolean offered;
                    if (pendingLength == 0) {
                        offered = offer(chunk, lineStart, i - lineStart);
                    } else {
                        append(chunk, lineStart, i - lineStart);
                        offered = offer(pending, 0, pendingLength);
                        pendingLength = 0;
                    }
                    if (!offered) {
                        return;
                    }
                    lineStart = i + 1;
                }
            }
            append(chunk, lineStart, read - lineStart);
        }
        if (pendingLength > 0 && !stopping) {
            offer(pending, 0, pendingLength); // a last line without its newline
        }
    }

    private void append(byte[] bytes, int offset, int length) {
        if (pendingLength + length > publisher.maxMessageLength()) {
            throw tooLong(pendingLength + length);
        }
        if (pendingLength + length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + length));
        }
        System.arraycopy(bytes, offset, pending, pendingLength, length);
        pendingLength += length;
    }

    /** Offers one line, waiting while back-pressured or disconnected; false when stopped first. */
    private synchronized boolean offer(byte[] bytes, int offset, int length) {
        if (length > publisher.maxMessageLength()) {
            throw tooLong(length);
        }
        lineNumber++;
        idle.reset();
        while (!stopping) {
            long result = publisher.offer(bytes, offset, length);
            if (result >= 0) {
                return true;
            }
            if (result == Result.CLOSED || result == Result.MAX_POSITION_EXCEEDED) {
                throw new RingBusException("line " + lineNumber + " was not published: "
                    + Result.describe(result));
            }
            if (result != Result.ADMIN_ACTION) {
                idle.idle(); // BACK_PRESSURED (a subscriber is a whole ring behind) or NOT_CONNECTED: wait
            }
        }
        return false;
    }

    private RingBusException tooLong(int length) {
        return new RingBusException("line " + (lineNumber + 1) + " is longer (" + length + " bytes or more) than"
            + " the topic's maximum message length of " + publisher.maxMessageLength() + " bytes; nothing of it"
            + " was published. Create the topic with a larger --capacity (maximum message: capacity/8).");
    }
}
