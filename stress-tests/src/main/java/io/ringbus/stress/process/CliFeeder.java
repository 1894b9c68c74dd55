package io.ringbus.stress.process;

import java.io.IOException;
import java.io.OutputStream;
import java.util.SplittableRandom;

/**
 * Feeds one {@code bus pub} process {@link CliLine} lines as fast as it reads them (flat out), on a
 * thread of its own, until {@link #finish()}: then its standard input ends, and the process must
 * publish every line fed and exit 0. What was fed counts whole lines only: a chunk counts once its
 * write returned.
 *
 * <p>The time of the last write that returned tells whether the process still reads: a publisher
 * held back by a full ring stops reading, so its pipe fills and the write blocks.
 */
final class CliFeeder {
    private static final int CHUNK = 16 * 1024;

    private final ChildProcess pub;
    private final int publisher;
    private final SplittableRandom random;
    private final Thread thread;
    private volatile boolean finishing;
    private volatile long fed;
    private volatile long fedBytes;
    private volatile long lastWrite = System.nanoTime();
    private volatile String failure;

    /** Starts feeding {@code pub} the lines of publisher number {@code publisher}. */
    CliFeeder(ChildProcess pub, int publisher, long seed) {
        this.pub = pub;
        this.publisher = publisher;
        this.random = new SplittableRandom(seed);
        this.thread = Thread.ofPlatform().daemon().name(pub.name() + "-feeder").start(this::feed);
    }

    private void feed() {
        byte[] chunk = new byte[CHUNK + 1024];
        long sequence = 0;
        try (OutputStream out = pub.stdin()) {
            while (!finishing) {
                int length = 0;
                long lines = 0;
                while (length < CHUNK) {
                    byte[] line = CliLine.encode(publisher, sequence + lines, random);
                    System.arraycopy(line, 0, chunk, length, line.length);
                    length += line.length;
                    lines++;
                }
                out.write(chunk, 0, length);
                sequence += lines;
                fed = sequence;
                fedBytes += length;
                lastWrite = System.nanoTime();
            }
        } catch (IOException e) {
            failure = e.getMessage(); // the process is gone: its exit says why
        }
    }

    /** Ends the input (after the chunk in hand) and waits up to {@code millis} for the thread to finish. */
    boolean finish(long millis) {
        finishing = true;
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /** Lines fed (whole chunks written). */
    long fed() {
        return fed;
    }

    long fedBytes() {
        return fedBytes;
    }

    /** The publisher number its lines carry. */
    int publisher() {
        return publisher;
    }

    ChildProcess pub() {
        return pub;
    }

    /** Nanoseconds since the last write returned. */
    long sinceLastWrite() {
        return System.nanoTime() - lastWrite;
    }

    /** Why feeding stopped early (the process closed its input), or null. */
    String failure() {
        return failure;
    }
}
