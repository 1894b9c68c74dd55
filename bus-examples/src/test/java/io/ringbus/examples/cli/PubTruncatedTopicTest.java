package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Another process truncates the topic file under {@code bus pub} while it publishes flat out (issue 11:
 * {@code seq 1 2000000000 | ./bus pub tv & sleep 1.5; truncate -s 39040 tv.topic}). The publisher runs in
 * its own JVM with the full JIT, as a user's does: HotSpot raises the lost page's {@code InternalError}
 * asynchronously, at the thread's next safepoint poll, which in C2 code is usually outside the ringbus call
 * that faulted (in {@code LinePublisher}'s loop). Every episode must end with exit code 1 and one line on
 * standard error, {@code bus pub: Topic file <path> ...}, saying what happened and what to do: no
 * {@code InternalError}, no stack trace. The moment and the new size vary, since the fault's timing does.
 */
class PubTruncatedTopicTest {
    /** Time from the topic file's appearance to the truncation: C2 has compiled the loop after about 0.7 s. */
    private static final long[] DELAYS_MILLIS = {1_500, 700, 1_000, 1_200, 900, 1_300};
    /** The size, nothing, one page, and sizes cutting into the ring at its start and middle. */
    private static final long[] NEW_SIZES = {39_040, 0, 4_096, 65_536, 524_288, 39_040};

    private Path directory;

    @BeforeEach
    void createDirectory() throws Exception {
        directory = Cli.newBusDirectory();
    }

    @AfterEach
    void removeDirectory() throws Exception {
        Cli.deleteTree(directory.getParent());
    }

    @Test
    @Timeout(120)
    void aTopicTruncatedUnderAFlatOutPubEndsItWithOneTypedLine() throws Exception {
        List<String> failures = new ArrayList<>();
        for (int episode = 0; episode < DELAYS_MILLIS.length; episode++) {
            String outcome = episode(episode, DELAYS_MILLIS[episode], NEW_SIZES[episode]);
            if (outcome != null) {
                failures.add(outcome);
            }
        }
        assertEquals(List.of(), failures, failures.size() + " of " + DELAYS_MILLIS.length + " episodes failed");
    }

    /** One publisher, truncated once; null when it ended as it must, else what went wrong. */
    private String episode(int episode, long delayMillis, long newSize) throws Exception {
        Path dir = directory.resolveSibling("bus" + episode);
        Path file = dir.resolve("tv.topic");
        Process pub = Cli.startFullyCompiling("pub", "tv", "--dir", dir.toString());
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(pub.getErrorStream()));
        Thread feeder = Thread.ofPlatform().daemon().name("feed-" + episode).start(() -> feed(pub.getOutputStream()));
        String outcome;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(file) && pub.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            if (!Files.exists(file)) {
                return "episode " + episode + ": no topic file; stderr: " + err.getNow("");
            }
            Thread.sleep(delayMillis);
            try (RandomAccessFile topic = new RandomAccessFile(file.toFile(), "rw")) {
                topic.setLength(newSize);
            }
            int exit = Cli.await(pub, 30);
            String stderr = err.get(10, TimeUnit.SECONDS);
            outcome = "episode " + episode + " (truncated to " + newSize + " bytes " + delayMillis + " ms after the"
                + " file appeared): exit " + exit + ", stderr: " + stderr.strip();
            System.out.println(outcome);
            List<String> lines = stderr.lines().toList();
            boolean asPromised = exit == 1 && lines.size() == 1
                && lines.get(0).startsWith("bus pub: Topic file " + file + " ")
                && lines.get(0).contains("truncated") && lines.get(0).contains("create it anew")
                && !stderr.contains("InternalError") && !stderr.contains("Exception in thread")
                && !stderr.contains("\tat ");
            return asPromised ? null : outcome;
        } finally {
            if (pub.isAlive()) {
                Cli.crash(pub);
            }
            feeder.join(10_000);
        }
    }

    /** Writes numbered lines into the publisher's standard input until it goes away. */
    private static void feed(OutputStream stdin) {
        byte[] block = new byte[64 * 1024];
        Arrays.fill(block, (byte) '7');
        for (int i = 15; i < block.length; i += 16) {
            block[i] = '\n';
        }
        try (stdin) {
            while (true) {
                stdin.write(block);
            }
        } catch (IOException gone) {
            // The publisher exited: its end of the pipe is closed.
        }
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
