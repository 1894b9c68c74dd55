package io.ringbus.examples.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.ringbus.core.Bus;
import io.ringbus.core.BusContext;
import io.ringbus.core.Publisher;
import io.ringbus.core.Result;
import io.ringbus.core.TopicConfig;
import io.ringbus.core.ring.RecordDescriptor;
import io.ringbus.transport.bridge.Bridge;
import io.ringbus.transport.bridge.BridgeContext;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bus tail}: shows what passes, as text or hex, and never holds a publisher back. */
class TailCommandTest {
    /** Seven bytes: a tab, a two-byte é, a control character and a backslash. */
    private static final byte[] TEXT = "a\tb\u00e9\u0001\\".getBytes(StandardCharsets.UTF_8);
    /** Seventeen bytes, so the hex dump takes two rows: NUL, 'A', a byte that is not UTF-8, ... */
    private static final byte[] BINARY = {0, 'A', (byte) 0xFF, 'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd',
        '!', '\n', 'z'};

    private Path directory;
    private ExecutorService executor;

    @BeforeEach
    void setUp() throws Exception {
        directory = Cli.newBusDirectory();
        executor = Executors.newCachedThreadPool();
    }

    @AfterEach
    void tearDown() throws Exception {
        executor.shutdownNow();
        executor.awaitTermination(10, TimeUnit.SECONDS);
        Cli.deleteTree(directory.getParent());
    }

    /** Runs {@code bus tail ARGS --dir DIR} on another thread, writing to {@code out}. */
    private Future<Integer> tail(Writer out, StringWriter err, String... args) {
        CommandLine commandLine = BusCommand.newCommandLine(InputStream.nullInputStream());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 3];
        all[0] = "tail";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--dir";
        all[args.length + 2] = directory.toString();
        return executor.submit(() -> commandLine.execute(all));
    }

    /** Runs {@code bus ARGS} on another thread, writing to {@code out}. */
    private Future<Integer> bus(Writer out, StringWriter err, String... args) {
        CommandLine commandLine = BusCommand.newCommandLine(InputStream.nullInputStream());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return executor.submit(() -> commandLine.execute(args));
    }

    private Bus bus() {
        return Bus.open(new BusContext().directory(directory));
    }

    private static void offer(Publisher publisher, byte[] message) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (publisher.offer(message) < 0) {
            assertTrue(System.nanoTime() < deadline, "offer never succeeded");
            Thread.onSpinWait();
        }
    }

    @Test
    void showsMessagesAsTheyPassAsEscapedTextAndAsHex() throws Exception {
        StringWriter text = new StringWriter();
        StringWriter hex = new StringWriter();
        StringWriter err = new StringWriter();
        Future<Integer> textTail = tail(text, err, "quotes", "--count", "2");
        Future<Integer> hexTail = tail(hex, err, "quotes", "--count", "2", "--hex");
        Cli.awaitTopic(directory, "quotes", t -> t.subscribers().size() == 2
            && t.subscribers().stream().noneMatch(TopicSnapshot.SubscriberSlot::joining));
        try (Bus bus = bus()) {
            Publisher publisher = bus.newPublisher("quotes");
            offer(publisher, TEXT);
            offer(publisher, BINARY);
            assertEquals(0, textTail.get(60, TimeUnit.SECONDS), err.toString());
            assertEquals(0, hexTail.get(60, TimeUnit.SECONDS), err.toString());
        }

        Matcher lines = Pattern.compile("@(\\d+) \\(7 B\\) a\\\\tb\u00e9\\\\x01\\\\\\\\\n"
            + "@(\\d+) \\(17 B\\) \\\\x00A\\\\xffhello world!\\\\nz\n").matcher(text.toString());
        assertTrue(lines.matches(), text.toString());
        long first = Long.parseLong(lines.group(1));
        assertEquals(first + RecordDescriptor.recordLength(TEXT.length), Long.parseLong(lines.group(2)),
            "the second message starts where the first record ends");

        assertEquals("@" + first + " (7 B)\n"
            + "00000000: 6109 62c3 a901 5c                        a.b...\\\n"
            + "@" + (first + 32) + " (17 B)\n"
            + "00000000: 0041 ff68 656c 6c6f 2077 6f72 6c64 210a  .A.hello world!.\n"
            + "00000010: 7a                                       z\n", hex.toString());
    }

    /** On a topic with publish times a record is 8 bytes longer: the positions shown are still where each starts. */
    @Test
    void showsTheRingPositionsOfATimestampedTopic() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (Bus bus = bus()) {
            Publisher publisher = bus.newPublisher("stamped", new TopicConfig().timestamps(true));
            Future<Integer> tail = tail(out, err, "stamped", "--count", "2", "--from", "earliest");
            offer(publisher, "123456789".getBytes(StandardCharsets.UTF_8));
            offer(publisher, "abc".getBytes(StandardCharsets.UTF_8));
            assertEquals(0, tail.get(60, TimeUnit.SECONDS), err.toString());
        }
        // 16-byte header + 8-byte publish time + 9 bytes, aligned to 16: the second record starts at 48.
        assertEquals("@0 (9 B) 123456789\n@48 (3 B) abc\n", out.toString());
    }

    @Test
    void showsMessagesThroughABridgeOnAStreamPath() throws Exception {
        BusContext busContext = new BusContext().directory(directory);
        try (Bridge bridge = Bridge.start(new BridgeContext().busContext(busContext).listen("tcp://127.0.0.1:0"));
             Bus bus = bus()) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            Future<Integer> tail = bus(out, err, "tail", "quotes", "--count", "2", "--via",
                bridge.listening().get(0).toString());
            Cli.awaitTopic(directory, "quotes", t -> t.subscribers().size() == 1
                && !t.subscribers().get(0).joining());
            Publisher publisher = bus.newPublisher("quotes");
            offer(publisher, TEXT);
            offer(publisher, BINARY);
            assertEquals(0, tail.get(60, TimeUnit.SECONDS), err.toString());
            assertTrue(Pattern.compile("@\\d+ \\(7 B\\) a\\\\tb\u00e9\\\\x01\\\\\\\\\n"
                + "@\\d+ \\(17 B\\) \\\\x00A\\\\xffhello world!\\\\nz\n").matcher(out.toString()).matches(),
                out.toString());
        }
    }

    /**
     * A tail whose output nobody reads (its writer blocks, as a full pipe does) is evicted: a publisher on
     * a small ring goes on publishing many rings' worth, back-pressured only briefly, and the tail says
     * what it skipped once it moves again.
     */
    @Test
    void aStalledTailDoesNotHoldThePublisherBack() throws Exception {
        StalledWriter out = new StalledWriter();
        StringWriter err = new StringWriter();
        try (Bus bus = bus()) {
            Publisher publisher = bus.newPublisher("fast", new TopicConfig().capacity(64 * 1024));
            Future<Integer> tail = tail(out, err, "fast", "--count", "2", "--evict-after", "50");
            Cli.awaitTopic(directory, "fast", t -> t.subscribers().size() == 1
                && !t.subscribers().get(0).joining());
            offer(publisher, "first".getBytes(StandardCharsets.UTF_8));
            assertTrue(out.stalled.await(60, TimeUnit.SECONDS), "tail never wrote: " + err);

            byte[] message = new byte[100];
            int messages = 20_000; // 20000 records of 128 bytes: about 39 rings of 64 KiB
            long longestPressureNanos = 0;
            long pressuredSince = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int i = 0; i < messages; ) {
                long result = publisher.offer(message);
                long now = System.nanoTime();
                if (result >= 0) {
                    i++;
                    if (pressuredSince >= 0) {
                        longestPressureNanos = Math.max(longestPressureNanos, now - pressuredSince);
                        pressuredSince = -1;
                    }
                } else {
                    assertEquals(Result.BACK_PRESSURED, result);
                    assertTrue(now < deadline, "the publisher was held back: " + i + " of " + messages + " sent");
                    if (pressuredSince < 0) {
                        pressuredSince = now;
                    }
                    Thread.onSpinWait();
                }
            }
            assertTrue(longestPressureNanos < TimeUnit.SECONDS.toNanos(10),
                "back-pressured for " + longestPressureNanos / 1_000_000 + " ms at a stretch");
            Cli.Result stat = Cli.run("", "stat", "--json", "--dir", directory.toString());
            assertTrue(stat.out().contains("\"evicted\":true,\"evictable\":true"), stat.out());
            assertTrue(stat.out().contains("\"state\":\"evicted\""), stat.out());

            out.release.countDown();
            assertEquals(0, tail.get(60, TimeUnit.SECONDS), err.toString());
        }
        String printed = out.text.toString();
        assertTrue(printed.startsWith("@0 (5 B) first\n"), printed);
        assertTrue(Pattern.compile("(?m)^-- skipped \\d+ bytes, @\\d+ to @\\d+ \\(tail was too slow\\)$")
            .matcher(printed).find(), printed);
        assertTrue(printed.contains("(100 B) \\x00\\x00"), printed);
    }

    /** A writer that blocks its first write until released, as a pipe nobody reads does once full. */
    private static final class StalledWriter extends Writer {
        final CountDownLatch stalled = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final StringBuffer text = new StringBuffer();

        @Override
        public void write(char[] chars, int offset, int length) {
            stalled.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            text.append(chars, offset, length);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
