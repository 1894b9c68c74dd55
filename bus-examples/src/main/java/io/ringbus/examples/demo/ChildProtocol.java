package io.ringbus.examples.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * How the demo's child processes talk to the parent: one line per report on standard output, and
 * commands from the parent on standard input. End of standard input means the parent is gone: the
 * child stops.
 *
 * <pre>
 *   child  -> parent   READY                         joined the topic
 *   parent -> child    GO seconds                    (publishers) start publishing
 *   child  -> parent   SENT total                    (publishers) four times a second
 *   child  -> parent   RECEIVED total histogram      (subscribers) four times a second; the latency
 *                                                     histogram of the interval, compressed, Base64
 *   child  -> parent   DONE sent                     (publishers) finished, END message published
 *   parent -> child    STOP                          stop now (or end of input)
 *   child  -> parent   RESULT received duplicated outOfOrder next0,next1 gaps0,gaps1
 * </pre>
 */
final class ChildProtocol {
    static final String READY = "READY";
    static final String GO = "GO";
    static final String SENT = "SENT";
    static final String RECEIVED = "RECEIVED";
    static final String DONE = "DONE";
    static final String STOP = "STOP";
    static final String RESULT = "RESULT";

    /** Longest latency a histogram tracks: an hour, in nanoseconds. */
    static final long HIGHEST_LATENCY = 3_600_000_000_000L;

    private ChildProtocol() {
    }

    /** A histogram of latencies in nanoseconds, three significant digits. */
    static Histogram newHistogram() {
        return new Histogram(HIGHEST_LATENCY, 3);
    }

    static String encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }

    static Histogram decode(String text) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(text)),
                HIGHEST_LATENCY);
        } catch (java.util.zip.DataFormatException | IllegalArgumentException e) {
            throw new IllegalArgumentException("bad histogram from a child: " + e.getMessage(), e);
        }
    }

    /** Prints one line to the parent and flushes it. */
    static void report(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /**
     * Reads the parent's commands on a daemon thread: each line goes to {@code onLine}; end of input
     * (the parent died or closed the pipe) goes as {@link #STOP}.
     */
    static void readCommands(Consumer<String> onLine) {
        Thread thread = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    onLine.accept(line.strip());
                }
            } catch (IOException ignored) {
                // Treated as the end of input.
            }
            onLine.accept(STOP);
        }, "parent-commands");
        thread.setDaemon(true);
        thread.start();
    }
}
